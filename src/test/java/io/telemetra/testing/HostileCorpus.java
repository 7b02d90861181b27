package io.telemetra.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A deterministic corpus of hostile Kafka records, each with the rejection reason the README's
 * table of reasons gives it (stated here by hand, per kind, not computed by the job's parser).
 */
public final class HostileCorpus {
    /** One record: which topic kind, its bytes, and why it must be rejected. */
    public record Hostile(boolean chat, String kind, byte[] payload, String reason) {}

    private HostileCorpus() {}

    /**
     * At least {@code n} records cycling through every kind; {@code now} is the wall clock (far
     * future is measured from it), {@code ts} a legitimate event time for otherwise valid fields.
     */
    public static List<Hostile> generate(int n, long seed, long ts, long now) {
        Random rnd = new Random(seed);
        List<Hostile> out = new ArrayList<>(n);
        int i = 0;
        while (out.size() < n) {
            String stream = "victim-" + (i % 3);
            String chat =
                    "{\"stream_id\":\""
                            + stream
                            + "\",\"user_id\":\"u"
                            + i
                            + "\",\"message\":\"hello chat\",\"timestamp\":"
                            + ts
                            + "}";
            switch (i % 24) {
                case 0 -> // cut off anywhere before its closing brace
                        out.add(
                                chat(
                                        "truncated",
                                        chat.substring(0, rnd.nextInt(chat.length() - 1)),
                                        "not_json"));
                case 1 ->
                        out.add(
                                chat(
                                        "deeply nested",
                                        "{\"x\":"
                                                + "[".repeat(5000)
                                                + "]".repeat(5000)
                                                + chat.substring(1),
                                        "not_json"));
                case 2 ->
                        out.add(
                                chat(
                                        "nested array",
                                        "[".repeat(3000) + "]".repeat(3000),
                                        "not_object"));
                case 3 -> {
                    // a few 1 MiB strings: enough to prove the point without a GiB of Kafka data
                    String big = "A".repeat(1 << 20);
                    if (i % 1920 == 3) {
                        out.add(chat("1 MiB stream_id", chat.replace(stream, big), "too_large"));
                    } else if (i % 1920 == 27) {
                        out.add(
                                chat(
                                        "1 MiB field, no timestamp",
                                        chat.replace(
                                                ",\"timestamp\":" + ts,
                                                ",\"junk\":\"" + big + "\""),
                                        "too_large"));
                    } else {
                        out.add(
                                chat(
                                        "long stream_id",
                                        chat.replace(stream, "s".repeat(256)),
                                        "invalid_value"));
                    }
                }
                case 4 -> {
                    byte[] b = chat.getBytes(StandardCharsets.UTF_8);
                    int at = chat.indexOf("hello");
                    b[at] = (byte) 0xC3; // a lead byte followed by ASCII: invalid UTF-8
                    b[at + 1] = (byte) 0x28;
                    out.add(new Hostile(true, "invalid UTF-8", b, "not_json"));
                }
                case 5 -> {
                    byte[] b = chat.getBytes(StandardCharsets.UTF_8);
                    b[chat.indexOf("hello")] = 0; // a raw NUL inside a string
                    out.add(new Hostile(true, "raw NUL byte", b, "not_json"));
                }
                case 6 ->
                        out.add(
                                chat(
                                        "escaped NUL in stream_id",
                                        chat.replace(stream, stream + "\\u0000"),
                                        "invalid_value"));
                case 7 ->
                        out.add(
                                chat(
                                        "NaN timestamp",
                                        chat.replace(Long.toString(ts), "NaN"),
                                        "not_json"));
                case 8 ->
                        out.add(
                                viewer(
                                        "Infinity viewers",
                                        "{\"stream_id\":\""
                                                + stream
                                                + "\",\"viewer_count\":Infinity,\"timestamp\":"
                                                + ts
                                                + "}",
                                        "not_json"));
                case 9 ->
                        out.add(
                                viewer(
                                        "viewers as a string",
                                        "{\"stream_id\":\""
                                                + stream
                                                + "\",\"viewer_count\":\"123\",\"timestamp\":"
                                                + ts
                                                + "}",
                                        "wrong_type"));
                case 10 ->
                        out.add(
                                chat(
                                        "timestamp as a numeric string",
                                        chat.replace(Long.toString(ts), "\"" + ts + "\""),
                                        "invalid_value"));
                case 11 ->
                        out.add(
                                chat(
                                        "boolean stream_id",
                                        chat.replace("\"" + stream + "\"", "true"),
                                        "wrong_type"));
                case 12 ->
                        out.add(
                                chat(
                                        "boolean message",
                                        chat.replace("\"hello chat\"", "false"),
                                        "wrong_type"));
                case 13 ->
                        out.add(
                                viewer(
                                        "negative viewers",
                                        "{\"stream_id\":\""
                                                + stream
                                                + "\",\"viewer_count\":-5,\"timestamp\":"
                                                + ts
                                                + "}",
                                        "invalid_value"));
                case 14 ->
                        out.add(
                                viewer(
                                        "overflowing viewers",
                                        "{\"stream_id\":\""
                                                + stream
                                                + "\",\"viewer_count\":99999999999999999999999,\"timestamp\":"
                                                + ts
                                                + "}",
                                        "invalid_value"));
                case 15 ->
                        out.add(
                                chat(
                                        "negative timestamp",
                                        chat.replace(Long.toString(ts), "-" + ts),
                                        "invalid_value"));
                case 16 ->
                        out.add(
                                chat(
                                        "overflowing timestamp",
                                        chat.replace(Long.toString(ts), "9" + "0".repeat(30)),
                                        "invalid_value"));
                case 17 ->
                        out.add(
                                chat(
                                        "duplicate key",
                                        chat.replace(
                                                "{\"stream_id\"",
                                                "{\"stream_id\":\"other\",\"stream_id\""),
                                        "invalid_value"));
                case 18 ->
                        out.add(
                                i % 48 == 18
                                        ? new Hostile(
                                                true, "null value (tombstone)", null, "not_json")
                                        : new Hostile(
                                                i % 2 == 0,
                                                "empty record",
                                                new byte[0],
                                                "not_json"));
                case 19 -> out.add(chat("white space only", " \n\t ", "not_json"));
                case 20 ->
                        out.add(
                                chat(
                                        "years in the future",
                                        chat.replace(
                                                Long.toString(ts),
                                                Long.toString(now + 3L * 365 * 86_400_000)),
                                        "future_timestamp"));
                case 21 ->
                        out.add(
                                chat(
                                        "no user_id",
                                        chat.replace("\"user_id\":\"u" + i + "\",", ""),
                                        "missing_field"));
                case 22 ->
                        out.add(
                                chat(
                                        "a JSON string",
                                        "\"" + chat.replace("\"", "\\\"") + "\"",
                                        "not_object"));
                default -> out.add(chat("trailing garbage", chat + "}{", "not_json"));
            }
            i++;
        }
        return out;
    }

    private static Hostile chat(String kind, String json, String reason) {
        return new Hostile(true, kind, json.getBytes(StandardCharsets.UTF_8), reason);
    }

    private static Hostile viewer(String kind, String json, String reason) {
        return new Hostile(false, kind, json.getBytes(StandardCharsets.UTF_8), reason);
    }
}
