package io.telemetra.window;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.event.Event;
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

    @ParameterizedTest
    @ValueSource(ints = {10, 100, 1_000, 100_000})
    void uniqueChattersIsWithinTwoPercentAndExactWhileSmall(int distinct) {
        WindowAccumulator acc = new WindowAccumulator();
        for (int i = 0; i < distinct; i++) {
            acc.add(chat("user-" + i, 0), LG_K);
            acc.add(
                    chat("user-" + i, 0),
                    LG_K); // a second message from the same chatter counts once
        }
        long estimate = acc.uniqueChatters();
        if (distinct <= 100) {
            assertEquals(distinct, estimate, "exact in the sketch's small modes");
        } else {
            assertTrue(
                    Math.abs(estimate - distinct) <= distinct * 0.02,
                    "estimate " + estimate + " for " + distinct);
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
