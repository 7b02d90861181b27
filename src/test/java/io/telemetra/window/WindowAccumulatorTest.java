package io.telemetra.window;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.event.Event;
import io.telemetra.testing.SketchTolerance;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WindowAccumulatorTest {
    static final int LG_K = 12;

    private static Event chat(String user, double sentiment, String... emotes) {
        Event e = Event.chat("s", 0, user, "", emotes);
        e.sentiment = sentiment;
        return e;
    }

    /**
     * Around each mode change of the default sketch: exact up to 20 (list/set mode, no coupon
     * collision likely), within one collision up to 384, then within 5 standard errors.
     */
    @ParameterizedTest
    @ValueSource(ints = {10, 20, 21, 100, 384, 385, 1_000, 4_096, 12_288, 100_000})
    void uniqueChattersIsWithinTheSketchTolerance(int distinct) {
        WindowAccumulator acc = new WindowAccumulator();
        for (int i = 0; i < distinct; i++) {
            acc.add(chat("user-" + i, 0), LG_K);
            acc.add(
                    chat("user-" + i, 0),
                    LG_K); // a second message from the same chatter counts once
        }
        long estimate = acc.uniqueChatters();
        long tolerance = SketchTolerance.uniqueChatters(distinct, LG_K);
        assertTrue(
                Math.abs(estimate - distinct) <= tolerance,
                "estimate " + estimate + " for " + distinct + ", tolerance " + tolerance);
    }

    /**
     * A window read from the union of its slices' sketches (SlicedWindows) and one sketch fed the
     * same chatters (Flink's window operator) hold the same coupons or registers, so their
     * estimates are equal, not merely close: below, in and above each mode change.
     */
    @ParameterizedTest
    @ValueSource(ints = {4, 8, 12, 14})
    void slicesMergedEstimateWhatOneSketchEstimates(int lgK) {
        java.util.Random r = new java.util.Random(lgK);
        for (int distinct :
                new int[] {1, 7, 8, 24, 25, 96, 97, 384, 385, 1_536, 1_537, 5_000, 70_000}) {
            java.util.List<WindowAccumulator> slices = new java.util.ArrayList<>();
            for (int s = 0; s < 6; s++) {
                slices.add(new WindowAccumulator());
            }
            WindowAccumulator one = new WindowAccumulator();
            for (int i = 0; i < distinct; i++) {
                Event e = chat("user-" + r.nextLong(), 0);
                slices.get(r.nextInt(6)).add(e, lgK);
                one.add(e, lgK);
                if (r.nextInt(4) == 0) { // a second message, maybe in another slice
                    slices.get(r.nextInt(6)).add(e, lgK);
                    one.add(e, lgK);
                }
            }
            assertEquals(
                    one.uniqueChatters(),
                    WindowAccumulator.merged(slices, lgK).uniqueChatters(),
                    "lg K " + lgK + ", " + distinct + " chatters");
        }
    }

    @Test
    void uniqueChattersDoesNotDependOnTheOrderUsersArriveIn() {
        // a replay or a recovery reads two partitions interleaved differently
        java.util.List<String> users = new java.util.ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            users.add("user-" + i);
        }
        WindowAccumulator inOrder = new WindowAccumulator();
        users.forEach(u -> inOrder.add(chat(u, 0), LG_K));
        java.util.Collections.shuffle(users, new java.util.Random(3));
        WindowAccumulator shuffled = new WindowAccumulator();
        users.forEach(u -> shuffled.add(chat(u, 0), LG_K));
        assertEquals(inOrder.uniqueChatters(), shuffled.uniqueChatters());
    }

    @Test
    void countsSentimentAndViewers() {
        WindowAccumulator acc = new WindowAccumulator();
        acc.add(chat("a", 0.5), LG_K);
        acc.add(chat("b", -0.25), LG_K);
        acc.add(chat("c", 0.0), LG_K);
        acc.add(Event.viewer("s", 0, 100), LG_K);
        acc.add(Event.viewer("s", 0, 201), LG_K);
        assertEquals(3, acc.chatCount());
        assertEquals(1, acc.positiveCount());
        assertEquals(1, acc.negativeCount());
        assertEquals(0.25 / 3, acc.avgSentiment(), 1e-12);
        assertEquals(150.5, acc.avgViewers(), 1e-12);
    }

    @Test
    void windowWithoutChatHasNullSentimentAndWithoutViewersNullViewers() {
        WindowAccumulator viewersOnly = new WindowAccumulator();
        viewersOnly.add(Event.viewer("s", 0, 5), LG_K);
        assertNull(viewersOnly.avgSentiment());
        assertEquals(0, viewersOnly.uniqueChatters());
        WindowAccumulator chatOnly = new WindowAccumulator();
        chatOnly.add(chat("a", 1), LG_K);
        assertNull(chatOnly.avgViewers());
    }

    @Test
    void topEmotesAreTheFiveMostFrequentWithTiesByNameAscending() {
        WindowAccumulator acc = new WindowAccumulator();
        acc.add(chat("a", 0, "Zed", "Zed", "Zed"), LG_K);
        acc.add(chat("a", 0, "Bob", "Bob", "Amy", "Amy"), LG_K);
        acc.add(chat("a", 0, "Cat", "Dan", "Eve", "Fay"), LG_K);
        // Zed 3; Amy, Bob 2 (name order); Cat, Dan, Eve, Fay 1: only Cat and Dan fit
        assertArrayEquals(new String[] {"Zed", "Amy", "Bob", "Cat", "Dan"}, acc.topEmotes());
    }

    @Test
    void mergeAddsCountsAndUnitesChatters() {
        WindowAccumulator a = new WindowAccumulator();
        WindowAccumulator b = new WindowAccumulator();
        a.add(chat("x", 1, "LUL"), LG_K);
        a.add(chat("y", 1), LG_K);
        b.add(chat("y", -1, "LUL"), LG_K);
        b.add(chat("z", -1), LG_K);
        a.merge(b);
        assertEquals(4, a.chatCount());
        assertEquals(3, a.uniqueChatters());
        assertEquals(2, a.emoteCounts().get("LUL"));
        assertEquals(0.0, a.avgSentiment(), 1e-12);
    }

    @Test
    void serializerRoundTripsEveryField() throws Exception {
        WindowAccumulator acc = new WindowAccumulator();
        for (int i = 0; i < 500; i++) {
            acc.add(chat("u" + i, i % 3 - 1, "E" + (i % 7)), LG_K);
        }
        acc.add(Event.viewer("s", 0, 42), LG_K);
        WindowAccumulatorTypeInfo.Serializer ser = WindowAccumulatorTypeInfo.Serializer.INSTANCE;
        DataOutputSerializer out = new DataOutputSerializer(64);
        ser.serialize(acc, out);
        WindowAccumulator back = ser.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertEquals(acc.chatCount(), back.chatCount());
        assertEquals(acc.positiveCount(), back.positiveCount());
        assertEquals(acc.negativeCount(), back.negativeCount());
        assertEquals(acc.avgSentiment(), back.avgSentiment());
        assertEquals(acc.avgViewers(), back.avgViewers());
        assertEquals(acc.uniqueChatters(), back.uniqueChatters());
        assertEquals(acc.emoteCounts(), back.emoteCounts());
        // the restored sketch keeps counting where it left off
        back.add(chat("u0", 0), LG_K);
        back.add(chat("new-user", 0), LG_K);
        assertEquals(acc.uniqueChatters() + 1, back.uniqueChatters());
    }
}
