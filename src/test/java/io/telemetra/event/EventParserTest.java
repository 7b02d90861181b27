package io.telemetra.event;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventParserTest {
    static final long NOW = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    final EventParser parser = new EventParser(300_000);

    private ParsedRecord chat(String json) {
        return parser.parse(
                Event.CHAT, "chat", 1, 7, 123L, json.getBytes(StandardCharsets.UTF_8), NOW);
    }

    private ParsedRecord viewer(String json) {
        return parser.parse(
                Event.VIEWER, "viewer", 0, 9, 123L, json.getBytes(StandardCharsets.UTF_8), NOW);
    }

    private static void assertRejected(ParsedRecord r, RejectReason reason) {
        assertNull(r.event, "expected a rejection");
        assertEquals(reason.code(), r.rejection.reason, r.rejection.detail);
        assertNotNull(r.rejection.detail);
    }

    @Test
    void chatWithEpochMillisIsParsedAndUnknownFieldsIgnored() {
        ParsedRecord r =
                chat(
                        "{\"stream_id\":\"s1\",\"user_id\":\"u1\",\"message\":\"hi\",\"timestamp\":1767225590000,"
                            + "\"username\":\"U\",\"event_id\":\"e\",\"extra\":{\"deep\":[1,{\"a\":2}]}}");
        assertTrue(r.isValid());
        Event e = r.event;
        assertEquals(Event.CHAT, e.kind);
        assertEquals("s1", e.streamId);
        assertEquals("u1", e.userId);
        assertEquals("hi", e.message);
        assertEquals(1_767_225_590_000L, e.timestamp);
        assertNull(e.emotes, "no emotes field: the lexicon finds them later");
        assertEquals(1, e.partition);
        assertEquals(7, e.offset);
    }

    @Test
    void isoTimestampsWithZoneAreAccepted() {
        assertEquals(
                NOW - 10_000,
                chat("{\"stream_id\":\"s\",\"user_id\":\"u\",\"message\":\"\","
                                + "\"timestamp\":\"2025-12-31T23:59:50Z\"}")
                        .event
                        .timestamp);
        assertEquals(
                NOW - 10_000,
                chat("{\"stream_id\":\"s\",\"user_id\":\"u\",\"message\":\"\","
                                + "\"timestamp\":\"2026-01-01T00:59:50+01:00\"}")
                        .event
                        .timestamp);
    }

    @Test
    void fractionalMillisecondsAreFloored() {
        assertEquals(
                NOW - 1,
                chat("{\"stream_id\":\"s\",\"user_id\":\"u\",\"message\":\"x\",\"timestamp\":"
                                + (NOW - 1)
                                + ".75}")
                        .event
                        .timestamp);
    }

    @Test
    void emotesFieldIsKeptPerOccurrence() {
        Event e =
                chat("{\"stream_id\":\"s\",\"user_id\":\"u\",\"message\":\"x\",\"timestamp\":1,"
                                + "\"emotes\":[\"Kappa\",\"Kappa\",\"LUL\"]}")
                        .event;
        assertArrayEquals(new String[] {"Kappa", "Kappa", "LUL"}, e.emotes);
    }

    @Test
    void viewerEventIsParsed() {
        Event e = viewer("{\"stream_id\":\"s\",\"viewer_count\":1234,\"timestamp\":5}").event;
        assertEquals(Event.VIEWER, e.kind);
        assertEquals(1234, e.viewerCount);
        assertEquals(5, e.timestamp);
    }

    @Test
    void notJsonIsRejected() {
        assertRejected(chat("hello"), RejectReason.NOT_JSON);
        assertRejected(chat("{\"stream_id\":\"s\""), RejectReason.NOT_JSON);
        assertRejected(
                chat("{\"stream_id\":\"s\",\"user_id\":\"u\",\"message\":\"m\",\"timestamp\":1} x"),
                RejectReason.NOT_JSON);
        assertRejected(chat("{\"v\":NaN}"), RejectReason.NOT_JSON);
        assertRejected(
                parser.parse(Event.CHAT, "chat", 0, 0, 0, new byte[0], NOW), RejectReason.NOT_JSON);
        assertRejected(parser.parse(Event.CHAT, "chat", 0, 0, 0, null, NOW), RejectReason.NOT_JSON);
        byte[] invalidUtf8 =
                "{\"stream_id\":\"s?\",\"user_id\":\"u\",\"message\":\"m\",\"timestamp\":1}"
                        .getBytes(StandardCharsets.US_ASCII);
        invalidUtf8[15] = (byte) 0xC3; // a lead byte followed by '"' is not UTF-8
        assertRejected(
                parser.parse(Event.CHAT, "chat", 0, 0, 0, invalidUtf8, NOW), RejectReason.NOT_JSON);
        assertRejected(chat("[".repeat(5000) + "]".repeat(5000)), RejectReason.NOT_OBJECT);
        assertRejected(
                chat("{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}"), RejectReason.NOT_JSON);
    }

    @Test
    void nonObjectJsonIsRejected() {
        assertRejected(chat("[1,2]"), RejectReason.NOT_OBJECT);
        assertRejected(chat("\"text\""), RejectReason.NOT_OBJECT);
        assertRejected(chat("42"), RejectReason.NOT_OBJECT);
    }

    @Test
    void missingOrNullFieldIsRejected() {
        assertRejected(
                chat("{\"user_id\":\"u\",\"message\":\"m\",\"timestamp\":1}"),
                RejectReason.MISSING_FIELD);
        assertRejected(
                chat("{\"stream_id\":\"s\",\"message\":\"m\",\"timestamp\":1}"),
                RejectReason.MISSING_FIELD);
        assertRejected(
                chat("{\"stream_id\":\"s\",\"user_id\":\"u\",\"timestamp\":1}"),
                RejectReason.MISSING_FIELD);
        assertRejected(
                chat("{\"stream_id\":\"s\",\"user_id\":\"u\",\"message\":\"m\"}"),
                RejectReason.MISSING_FIELD);
        assertRejected(
                chat("{\"stream_id\":\"s\",\"user_id\":null,\"message\":\"m\",\"timestamp\":1}"),
                RejectReason.MISSING_FIELD);
        assertRejected(viewer("{\"stream_id\":\"s\",\"timestamp\":1}"), RejectReason.MISSING_FIELD);
    }

    @Test
    void wrongTypeIsRejected() {
        assertRejected(
                chat("{\"stream_id\":5,\"user_id\":\"u\",\"message\":\"m\",\"timestamp\":1}"),
                RejectReason.WRONG_TYPE);
        assertRejected(
                chat("{\"stream_id\":\"s\",\"user_id\":\"u\",\"message\":true,\"timestamp\":1}"),
                RejectReason.WRONG_TYPE);
        assertRejected(
                chat("{\"stream_id\":\"s\",\"user_id\":\"u\",\"message\":\"m\",\"timestamp\":[1]}"),
                RejectReason.WRONG_TYPE);
        assertRejected(
                chat(
                        "{\"stream_id\":\"s\",\"user_id\":\"u\",\"message\":\"m\",\"timestamp\":1,\"emotes\":\"LUL\"}"),
                RejectReason.WRONG_TYPE);
        assertRejected(
                chat(
                        "{\"stream_id\":\"s\",\"user_id\":\"u\",\"message\":\"m\",\"timestamp\":1,\"emotes\":[1]}"),
                RejectReason.WRONG_TYPE);
        assertRejected(
                viewer("{\"stream_id\":\"s\",\"viewer_count\":\"12\",\"timestamp\":1}"),
                RejectReason.WRONG_TYPE);
        assertRejected(
                viewer("{\"stream_id\":\"s\",\"viewer_count\":1.5,\"timestamp\":1}"),
                RejectReason.WRONG_TYPE);
    }

    @Test
    void impossibleValueIsRejected() {
        assertRejected(
                chat("{\"stream_id\":\" \",\"user_id\":\"u\",\"message\":\"m\",\"timestamp\":1}"),
                RejectReason.INVALID_VALUE);
        assertRejected(
                chat(
                        "{\"stream_id\":\""
                                + "s".repeat(256)
                                + "\",\"user_id\":\"u\",\"message\":\"m\",\"timestamp\":1}"),
                RejectReason.INVALID_VALUE);
        assertRejected(
                chat(
                        "{\"stream_id\":\"a\\u0000b\",\"user_id\":\"u\",\"message\":\"m\",\"timestamp\":1}"),
                RejectReason.INVALID_VALUE);
        assertRejected(
                chat("{\"stream_id\":\"s\",\"user_id\":\"u\",\"message\":\"m\",\"timestamp\":-1}"),
                RejectReason.INVALID_VALUE);
        assertRejected(
                chat(
                        "{\"stream_id\":\"s\",\"user_id\":\"u\",\"message\":\"m\",\"timestamp\":99999999999999999999999}"),
                RejectReason.INVALID_VALUE);
        assertRejected(
                chat(
                        "{\"stream_id\":\"s\",\"user_id\":\"u\",\"message\":\"m\",\"timestamp\":\"2026-01-01T00:00:00\"}"),
                RejectReason.INVALID_VALUE);
        assertRejected(
                chat(
                        "{\"stream_id\":\"s\",\"user_id\":\"u\",\"message\":\"m\",\"timestamp\":1,\"emotes\":[\"\"]}"),
                RejectReason.INVALID_VALUE);
        assertRejected(
                viewer("{\"stream_id\":\"s\",\"viewer_count\":-1,\"timestamp\":1}"),
                RejectReason.INVALID_VALUE);
        assertRejected(
                viewer(
                        "{\"stream_id\":\"s\",\"viewer_count\":99999999999999999999,\"timestamp\":1}"),
                RejectReason.INVALID_VALUE);
    }

    @Test
    void duplicateKnownFieldIsRejected() {
        assertRejected(
                chat(
                        "{\"stream_id\":\"s\",\"stream_id\":\"t\",\"user_id\":\"u\",\"message\":\"m\",\"timestamp\":1}"),
                RejectReason.INVALID_VALUE);
    }

    @Test
    void timestampFarAheadOfTheWallClockIsRejected() {
        long ahead = NOW + 300_001;
        assertRejected(
                chat(
                        "{\"stream_id\":\"s\",\"user_id\":\"u\",\"message\":\"m\",\"timestamp\":"
                                + ahead
                                + "}"),
                RejectReason.FUTURE_TIMESTAMP);
        // within the skew, and any age in the past, is fine: replays of old chat must work
        assertTrue(
                chat("{\"stream_id\":\"s\",\"user_id\":\"u\",\"message\":\"m\",\"timestamp\":"
                                + (NOW + 300_000)
                                + "}")
                        .isValid());
        assertTrue(
                chat("{\"stream_id\":\"s\",\"user_id\":\"u\",\"message\":\"m\",\"timestamp\":0}")
                        .isValid());
    }

    @Test
    void rejectionKeepsOriginTruncatedPayloadAndSize() {
        byte[] big = ("{\"stream_id\":\"" + "x".repeat(100_000)).getBytes(StandardCharsets.UTF_8);
        Rejection r = parser.parse(Event.CHAT, "chat", 3, 42, 777L, big, NOW).rejection;
        assertEquals("chat", r.topic);
        assertEquals(3, r.partition);
        assertEquals(42, r.offset);
        assertEquals(777L, r.recordTimestamp);
        assertEquals(Rejection.MAX_PAYLOAD_BYTES, r.payload.length);
        assertEquals(big.length, r.payloadSize);
    }

    @Test
    void rejectionDetailNeverCarriesNul() {
        Rejection r =
                chat("{\"stream_id\":\"s\",\"user_id\":\"u\",\"message\":\"m\",\"timestamp\":\"\\u0000bad\"}")
                        .rejection;
        assertEquals(-1, r.detail.indexOf('\u0000'));
    }

    private static String chatWith(String message, String user, String emotesJson) {
        return "{\"stream_id\":\"s1\",\"user_id\":\""
                + user
                + "\",\"message\":\""
                + message
                + "\",\"emotes\":"
                + emotesJson
                + ",\"timestamp\":1767225590000}";
    }

    private static String emotes(int n) {
        return "[" + "\"Kappa\",".repeat(n - 1) + "\"Kappa\"]";
    }

    @Test
    void aValidTenMegabyteMessageIsRejectedAsTooLargeWithoutBeingParsed() {
        String json = chatWith("a".repeat(10_000_000), "u1", "[]");
        ParsedRecord r = chat(json);
        assertRejected(r, RejectReason.TOO_LARGE);
        assertTrue(r.rejection.detail.contains("bytes is larger than"), r.rejection.detail);
    }

    @Test
    void aHundredThousandEmotesAreRejectedAsTooLarge() {
        assertRejected(chat(chatWith("hype", "u1", emotes(100_000))), RejectReason.TOO_LARGE);
    }

    @Test
    void eachFieldLimitIsItsOwnReasonAndTheLimitItselfIsAllowed() {
        int max = EventLimits.DEFAULT_MAX_MESSAGE_CHARS;
        assertTrue(chat(chatWith("m".repeat(max), "u1", "[]")).isValid());
        ParsedRecord longMessage = chat(chatWith("m".repeat(max + 1), "u1", "[]"));
        assertRejected(longMessage, RejectReason.TOO_LARGE);
        assertTrue(longMessage.rejection.detail.contains("--events.max-message-length"));

        int users = EventLimits.DEFAULT_MAX_USER_ID_CHARS;
        assertTrue(chat(chatWith("hi", "u".repeat(users), "[]")).isValid());
        ParsedRecord longUser = chat(chatWith("hi", "u".repeat(users + 1), "[]"));
        assertRejected(longUser, RejectReason.TOO_LARGE);
        assertTrue(longUser.rejection.detail.contains("--events.max-user-id-length"));

        int emotes = EventLimits.DEFAULT_MAX_EMOTES;
        assertTrue(chat(chatWith("hi", "u1", emotes(emotes))).isValid());
        ParsedRecord many = chat(chatWith("hi", "u1", emotes(emotes + 1)));
        assertRejected(many, RejectReason.TOO_LARGE);
        assertTrue(many.rejection.detail.contains("--events.max-emotes"));
    }

    @Test
    void limitsAreOptionsNotConstants() {
        EventParser strict = new EventParser(new EventLimits(300_000, 10, 3, 1));
        byte[] ok = chatWith("0123456789", "abc", emotes(1)).getBytes(StandardCharsets.UTF_8);
        assertTrue(strict.parse(Event.CHAT, "chat", 0, 0, 0, ok, NOW).isValid());
        byte[] bad = chatWith("01234567890", "abc", emotes(1)).getBytes(StandardCharsets.UTF_8);
        assertEquals(
                "too_large", strict.parse(Event.CHAT, "chat", 0, 0, 0, bad, NOW).rejection.reason);
    }
}
