package io.telemetra.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.Serializable;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;

/**
 * Turns one Kafka record's bytes into a valid {@link Event} or a {@link Rejection} with a reason.
 * It reads the JSON with a streaming parser, touching only the fields it needs, and never throws
 * for bad input: every way a record can be wrong ends as a rejection, so a bad record can neither
 * fail nor restart the job.
 *
 * <p>Values that PostgreSQL could not store (a NUL character, a {@code stream_id} longer than the
 * column) are rejected here, because a write failure at the sink would restart the job over and
 * over.
 */
public final class EventParser implements Serializable {
    private static final long serialVersionUID = 1L;

    /** {@code stream_id} is VARCHAR(255) in the schema. */
    public static final int MAX_STREAM_ID_LENGTH = 255;

    public static final int MAX_EMOTE_LENGTH = 100;

    /** 9999-12-31T23:59:59.999Z, the largest instant PostgreSQL and ISO-8601 agree on. */
    public static final long MAX_TIMESTAMP = 253_402_300_799_999L;

    private static final String[] NO_EMOTES = new String[0];

    private final EventLimits limits;
    private final long maxFutureSkewMillis;
    private final long maxRecordBytes;
    private transient JsonFactory json;

    public EventParser(EventLimits limits) {
        this.limits = limits;
        this.maxFutureSkewMillis = limits.maxFutureSkewMillis();
        this.maxRecordBytes = limits.maxRecordBytes();
    }

    /** A parser with the default size limits: for tools and tests. */
    public EventParser(long maxFutureSkewMillis) {
        this(EventLimits.defaults(maxFutureSkewMillis));
    }

    /**
     * Parses a record of the given kind. {@code now} is the wall clock, used only to reject
     * timestamps too far in the future; old timestamps are legitimate and are judged by the
     * watermark instead.
     */
    public ParsedRecord parse(
            byte kind,
            String topic,
            int partition,
            long offset,
            long recordTimestamp,
            byte[] value,
            long now) {
        try {
            if (value != null && value.length > maxRecordBytes) {
                throw new Invalid(
                        RejectReason.TOO_LARGE,
                        "record of "
                                + value.length
                                + " bytes is larger than the "
                                + maxRecordBytes
                                + " that the size limits allow (--events.max-message-length,"
                                + " --events.max-user-id-length, --events.max-emotes)");
            }
            Event e = kind == Event.CHAT ? parseChat(value) : parseViewer(value);
            if (e.timestamp > now + maxFutureSkewMillis) {
                throw new Invalid(
                        RejectReason.FUTURE_TIMESTAMP,
                        "timestamp "
                                + Instant.ofEpochMilli(e.timestamp)
                                + " is more than "
                                + maxFutureSkewMillis
                                + " ms ahead of the wall clock");
            }
            e.partition = partition;
            e.offset = offset;
            return ParsedRecord.valid(e);
        } catch (Invalid bad) {
            return ParsedRecord.rejected(
                    Rejection.of(
                            topic,
                            partition,
                            offset,
                            value,
                            bad.reason,
                            bad.getMessage(),
                            recordTimestamp));
        }
    }

    private JsonFactory json() {
        if (json == null) {
            json = JsonFactory.builder().build();
        }
        return json;
    }

    private static final int F_STREAM = 1,
            F_USER = 2,
            F_MESSAGE = 4,
            F_TS = 8,
            F_EMOTES = 16,
            F_VIEWERS = 32;

    private Event parseChat(byte[] value) throws Invalid {
        String streamId = null, userId = null, message = null;
        String[] emotes = null;
        long ts = Long.MIN_VALUE;
        int seen = 0;
        try (JsonParser p = open(value)) {
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken t = p.nextToken();
                switch (name) {
                    case "stream_id" -> {
                        seen = once(seen, F_STREAM, name);
                        streamId = streamId(p, t);
                    }
                    case "user_id" -> {
                        seen = once(seen, F_USER, name);
                        userId =
                                bounded(
                                        string(p, t, name),
                                        name,
                                        limits.maxUserIdChars(),
                                        "--events.max-user-id-length");
                    }
                    case "message" -> {
                        seen = once(seen, F_MESSAGE, name);
                        message =
                                bounded(
                                        string(p, t, name),
                                        name,
                                        limits.maxMessageChars(),
                                        "--events.max-message-length");
                    }
                    case "timestamp" -> {
                        seen = once(seen, F_TS, name);
                        ts = timestamp(p, t);
                    }
                    case "emotes" -> {
                        seen = once(seen, F_EMOTES, name);
                        emotes = emotes(p, t, limits.maxEmotes());
                    }
                    default -> p.skipChildren();
                }
            }
            end(p);
        } catch (JsonProcessingException e) {
            throw new Invalid(RejectReason.NOT_JSON, "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new Invalid(RejectReason.NOT_JSON, "unreadable: " + e.getMessage());
        }
        require(streamId, "stream_id");
        require(userId, "user_id");
        require(message, "message");
        if (ts == Long.MIN_VALUE) {
            throw missing("timestamp");
        }
        return Event.chat(streamId, ts, userId, message, emotes);
    }

    private Event parseViewer(byte[] value) throws Invalid {
        String streamId = null;
        long ts = Long.MIN_VALUE;
        long viewers = -1;
        int seen = 0;
        try (JsonParser p = open(value)) {
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken t = p.nextToken();
                switch (name) {
                    case "stream_id" -> {
                        seen = once(seen, F_STREAM, name);
                        streamId = streamId(p, t);
                    }
                    case "timestamp" -> {
                        seen = once(seen, F_TS, name);
                        ts = timestamp(p, t);
                    }
                    case "viewer_count" -> {
                        seen = once(seen, F_VIEWERS, name);
                        viewers = viewerCount(p, t);
                    }
                    default -> p.skipChildren();
                }
            }
            end(p);
        } catch (JsonProcessingException e) {
            throw new Invalid(RejectReason.NOT_JSON, "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new Invalid(RejectReason.NOT_JSON, "unreadable: " + e.getMessage());
        }
        require(streamId, "stream_id");
        if (ts == Long.MIN_VALUE) {
            throw missing("timestamp");
        }
        if (viewers < 0) {
            throw missing("viewer_count");
        }
        return Event.viewer(streamId, ts, viewers);
    }

    private JsonParser open(byte[] value) throws IOException, Invalid {
        if (value == null || value.length == 0) {
            throw new Invalid(RejectReason.NOT_JSON, "empty record");
        }
        JsonParser p = json().createParser(value);
        JsonToken first = p.nextToken();
        if (first == null) {
            p.close();
            throw new Invalid(RejectReason.NOT_JSON, "record holds only white space");
        }
        if (first != JsonToken.START_OBJECT) {
            p.close();
            throw new Invalid(
                    RejectReason.NOT_OBJECT, "expected a JSON object, got " + describe(first));
        }
        return p;
    }

    /** After the object's closing brace nothing but white space may follow. */
    private static void end(JsonParser p) throws IOException, Invalid {
        if (p.nextToken() != null) {
            throw new Invalid(RejectReason.NOT_JSON, "trailing content after the JSON object");
        }
    }

    private static int once(int seen, int flag, String name) throws Invalid {
        if ((seen & flag) != 0) {
            throw new Invalid(
                    RejectReason.INVALID_VALUE, "field '" + name + "' appears more than once");
        }
        return seen | flag;
    }

    private static String string(JsonParser p, JsonToken t, String name)
            throws IOException, Invalid {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_STRING) {
            throw wrongType(name, "a string", t);
        }
        return p.getText();
    }

    private static String streamId(JsonParser p, JsonToken t) throws IOException, Invalid {
        String s = string(p, t, "stream_id");
        if (s == null) {
            return null;
        }
        if (s.isBlank()) {
            throw new Invalid(RejectReason.INVALID_VALUE, "stream_id is empty");
        }
        if (s.length() > MAX_STREAM_ID_LENGTH) {
            throw new Invalid(
                    RejectReason.INVALID_VALUE,
                    "stream_id has "
                            + s.length()
                            + " characters; at most "
                            + MAX_STREAM_ID_LENGTH
                            + " allowed");
        }
        if (s.indexOf('\u0000') >= 0) {
            throw new Invalid(RejectReason.INVALID_VALUE, "stream_id contains a NUL character");
        }
        return s;
    }

    private static long timestamp(JsonParser p, JsonToken t) throws IOException, Invalid {
        long ts;
        if (t == JsonToken.VALUE_NULL) {
            return Long.MIN_VALUE;
        } else if (t == JsonToken.VALUE_NUMBER_INT) {
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw new Invalid(
                        RejectReason.INVALID_VALUE, "timestamp " + p.getText() + " overflows");
            }
            ts = p.getLongValue();
        } else if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            // Producers that compute time.time() * 1000 send fractions of a millisecond: keep the
            // millisecond.
            double d = p.getDoubleValue();
            if (!(d >= 0 && d <= MAX_TIMESTAMP)) {
                throw new Invalid(
                        RejectReason.INVALID_VALUE,
                        "timestamp " + p.getText() + " is out of range");
            }
            ts = (long) Math.floor(d);
        } else if (t == JsonToken.VALUE_STRING) {
            String s = p.getText();
            try {
                ts = DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(s, Instant::from).toEpochMilli();
            } catch (DateTimeParseException | ArithmeticException e) {
                throw new Invalid(
                        RejectReason.INVALID_VALUE,
                        "timestamp '"
                                + truncate(s)
                                + "' is not ISO-8601 with a zone (e.g. 2026-01-01T12:00:00Z or"
                                + " +02:00) nor epoch milliseconds");
            }
        } else {
            throw wrongType("timestamp", "epoch milliseconds or an ISO-8601 string", t);
        }
        if (ts < 0 || ts > MAX_TIMESTAMP) {
            throw new Invalid(
                    RejectReason.INVALID_VALUE, "timestamp " + ts + " is outside 1970..9999");
        }
        return ts;
    }

    private static long viewerCount(JsonParser p, JsonToken t) throws IOException, Invalid {
        if (t == JsonToken.VALUE_NULL) {
            return -1;
        }
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw wrongType("viewer_count", "an integer", t);
        }
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new Invalid(
                    RejectReason.INVALID_VALUE, "viewer_count " + p.getText() + " overflows");
        }
        long v = p.getLongValue();
        if (v < 0) {
            throw new Invalid(RejectReason.INVALID_VALUE, "viewer_count " + v + " is negative");
        }
        return v;
    }

    private static String bounded(String s, String name, int max, String option) throws Invalid {
        if (s != null && s.length() > max) {
            throw new Invalid(
                    RejectReason.TOO_LARGE,
                    name
                            + " of "
                            + s.length()
                            + " characters is longer than "
                            + max
                            + " ("
                            + option
                            + ")");
        }
        return s;
    }

    private static String[] emotes(JsonParser p, JsonToken t, int max) throws IOException, Invalid {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.START_ARRAY) {
            throw wrongType("emotes", "an array of strings", t);
        }
        ArrayList<String> out = null;
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            if (e != JsonToken.VALUE_STRING) {
                throw wrongType("emotes[]", "a string", e);
            }
            String s = p.getText();
            if (s.isEmpty() || s.length() > MAX_EMOTE_LENGTH || s.indexOf('\u0000') >= 0) {
                throw new Invalid(
                        RejectReason.INVALID_VALUE,
                        "emote '"
                                + truncate(s)
                                + "' must be 1.."
                                + MAX_EMOTE_LENGTH
                                + " characters without NUL");
            }
            if (out == null) {
                out = new ArrayList<>(4);
            }
            if (out.size() == max) {
                throw new Invalid(
                        RejectReason.TOO_LARGE,
                        "more than " + max + " emotes (--events.max-emotes)");
            }
            out.add(s);
        }
        return out == null ? NO_EMOTES : out.toArray(NO_EMOTES);
    }

    private static void require(String value, String name) throws Invalid {
        if (value == null) {
            throw missing(name);
        }
    }

    private static Invalid missing(String name) {
        return new Invalid(
                RejectReason.MISSING_FIELD, "required field '" + name + "' is missing or null");
    }

    private static Invalid wrongType(String name, String expected, JsonToken got) {
        return new Invalid(
                RejectReason.WRONG_TYPE,
                "field '" + name + "' must be " + expected + ", got " + describe(got));
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a decimal number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.name();
        };
    }

    private static String truncate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }

    /** A bad record; no stack trace, since it is an expected outcome rather than a bug. */
    private static final class Invalid extends Exception {
        final RejectReason reason;

        Invalid(RejectReason reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }
    }
}
