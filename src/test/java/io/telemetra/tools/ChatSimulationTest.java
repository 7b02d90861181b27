package io.telemetra.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.event.EventParser;
import io.telemetra.event.ParsedRecord;
import io.telemetra.sentiment.Lexicon;
import io.telemetra.sentiment.SentimentScorer;
import io.telemetra.tools.generator.ChatSimulation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatSimulationTest {
    static final long START = Instant.parse("2026-03-01T00:00:00Z").toEpochMilli();

    private static ChatSimulation sim(long seed, double malformedRate) {
        return new ChatSimulation(seed, 30, 300, START, malformedRate, 60_000, 90_000);
    }

    private static List<ChatSimulation.Record> run(
            ChatSimulation sim, long untilMillis, List<ChatSimulation.Label> labels) {
        List<ChatSimulation.Record> out = new ArrayList<>();
        ChatSimulation.Record r;
        while ((r = sim.next(labels::add)).timestamp() < START + untilMillis) {
            out.add(r);
        }
        return out;
    }

    @Test
    void sameSeedGivesByteIdenticalRecordsAndAnotherSeedDoesNot() {
        List<ChatSimulation.Record> a = run(sim(42, 0.01), 60_000, new ArrayList<>());
        List<ChatSimulation.Record> b = run(sim(42, 0.01), 60_000, new ArrayList<>());
        List<ChatSimulation.Record> c = run(sim(43, 0.01), 60_000, new ArrayList<>());
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).payload(), b.get(i).payload(), "record " + i);
        }
        assertFalse(
                a.size() == c.size()
                        && java.util.Arrays.equals(a.get(0).payload(), c.get(0).payload()));
    }

    @Test
    void recordsAreInEventTimeOrderAtTheRequestedRateWithHeavyTailedPopularity() {
        List<ChatSimulation.Record> records = run(sim(1, 0), 120_000, new ArrayList<>());
        Map<String, Integer> perStream = new HashMap<>();
        EventParser parser = new EventParser(Long.MAX_VALUE / 4);
        long last = 0;
        int chat = 0;
        for (ChatSimulation.Record r : records) {
            assertTrue(r.timestamp() >= last, "event-time order");
            last = r.timestamp();
            ParsedRecord p =
                    parser.parse(r.chat() ? (byte) 1 : (byte) 2, "t", 0, 0, 0, r.payload(), START);
            assertTrue(p.isValid(), new String(r.payload()));
            if (r.chat()) {
                chat++;
                perStream.merge(p.event.streamId, 1, Integer::sum);
            }
        }
        // 300 messages/s for 120 s, plus the planted scenario's extra messages
        assertTrue(chat > 300 * 120 * 0.95 && chat < 300 * 120 * 1.3, "chat messages: " + chat);
        int top = perStream.get("stream-0001");
        int tenth = perStream.get("stream-0010");
        assertTrue(
                top > 8 * tenth,
                "the biggest stream is far busier than the tenth: " + top + " vs " + tenth);
    }

    @Test
    void labelsDescribeWhatWasPlanted() {
        List<ChatSimulation.Label> labels = new ArrayList<>();
        List<ChatSimulation.Record> records = run(sim(5, 0), 480_000, labels);
        assertTrue(labels.size() >= 3, "labels: " + labels);
        EventParser parser = new EventParser(Long.MAX_VALUE / 4);
        SentimentScorer scorer = new SentimentScorer(Lexicon.builtIn());
        for (ChatSimulation.Label l : labels) {
            long span = l.end() - l.start();
            int inside = 0, before = 0;
            double sentimentInside = 0, sentimentBefore = 0;
            long viewersBefore = 0, viewersInside = 0;
            for (ChatSimulation.Record r : records) {
                ParsedRecord p =
                        parser.parse(
                                r.chat() ? (byte) 1 : (byte) 2, "t", 0, 0, 0, r.payload(), START);
                if (!p.event.streamId.equals(l.streamId())) {
                    continue;
                }
                boolean in = r.timestamp() >= l.start() && r.timestamp() < l.end();
                boolean pre = r.timestamp() >= l.start() - span && r.timestamp() < l.start();
                if (r.chat()) {
                    double s = scorer.score(p.event.message);
                    if (in) {
                        inside++;
                        sentimentInside += s;
                    } else if (pre) {
                        before++;
                        sentimentBefore += s;
                    }
                } else if (in) {
                    viewersInside = Math.max(viewersInside, p.event.viewerCount);
                } else if (pre) {
                    viewersBefore = Math.max(viewersBefore, p.event.viewerCount);
                }
            }
            switch (l.kind()) {
                case "hype_burst" -> {
                    assertTrue(inside > 3 * before, l + ": " + inside + " vs " + before);
                    assertTrue(
                            sentimentInside / inside > sentimentBefore / before + 0.2,
                            l.toString());
                }
                case "raid" ->
                        assertTrue(
                                viewersInside > 2 * viewersBefore,
                                l + ": " + viewersInside + " vs " + viewersBefore);
                case "sentiment_collapse" ->
                        assertTrue(
                                sentimentInside / inside < sentimentBefore / before - 0.3,
                                l
                                        + ": "
                                        + sentimentInside / inside
                                        + " vs "
                                        + sentimentBefore / before);
                case "emote_flood" -> assertTrue(inside > 2 * before, l.toString());
                case "viewer_drop" ->
                        assertTrue(
                                viewersInside < 0.5 * viewersBefore,
                                l + ": " + viewersInside + " vs " + viewersBefore);
                default -> throw new AssertionError("unknown kind " + l.kind());
            }
        }
        for (int i = 1; i < labels.size(); i++) {
            assertTrue(labels.get(i).start() >= labels.get(i - 1).end(), "one scenario at a time");
        }
    }

    @Test
    void malformedTrickleCoversEveryRejectionKindAndEachIsRejected() {
        List<ChatSimulation.Record> records = run(sim(9, 0.02), 60_000, new ArrayList<>());
        EventParser parser = new EventParser(300_000);
        Map<String, Integer> kinds = new HashMap<>();
        for (ChatSimulation.Record r : records) {
            if (r.malformedKind() != null) {
                kinds.merge(r.malformedKind(), 1, Integer::sum);
                ParsedRecord p =
                        parser.parse(
                                r.chat() ? (byte) 1 : (byte) 2, "t", 0, 0, 0, r.payload(), START);
                assertEquals(
                        r.malformedKind(),
                        p.rejection == null ? "accepted" : p.rejection.reason,
                        new String(r.payload()));
            }
        }
        assertEquals(ChatSimulation.MALFORMED_KINDS.length, kinds.size(), kinds.toString());
        int total = kinds.values().stream().mapToInt(Integer::intValue).sum();
        assertTrue(
                total > records.size() * 0.015 && total < records.size() * 0.025,
                total + " of " + records.size());
    }
}
