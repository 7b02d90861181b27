package io.telemetra.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.event.Event;
import io.telemetra.testing.SketchTolerance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/**
 * {@link SlicedWindows} against Flink's own {@code SlidingEventTimeWindows} with the same aggregate
 * ({@link ChatAggregate} + {@link EmitSummary}): both operators get the same random input (several
 * streams, some going idle, out-of-order and late events, watermark jumps, allowed lateness) and
 * must write the same windows, in the same order per stream, and reject the same events as late,
 * and the sliced windows must leave no state and no timer behind after the last watermark. Unique
 * chatters must be equal too, estimates included: both sides sketch the same users with the same
 * code.
 */
class SlicedWindowsEquivalenceTest {
    static final OutputTag<Event> REFERENCE_LATE = new OutputTag<>("reference-late") {};
    static final String[] EMOTES = {"Pog", "KEKW", "LUL", "PogChamp", "Kappa", "monkaS"};

    record Setup(long size, long slide, long lateness, int lgK, int users, int streams) {}

    @Test
    void slicedWindowsWriteWhatSlidingWindowsWrite() throws Exception {
        int windows = 0, lateEvents = 0, lateUpdates = 0, estimated = 0;
        for (int seed = 1; seed <= 60; seed++) {
            Random r = new Random(seed);
            long[][] shapes = {
                {60_000, 10_000}, {60_000, 10_000}, {30_000, 10_000}, {20_000, 5_000}
            };
            long[] shape = shapes[r.nextInt(shapes.length)];
            long[] latenesses = {0, 0, shape[1], shape[1] * 5 / 2};
            Setup setup =
                    new Setup(
                            shape[0],
                            shape[1],
                            latenesses[r.nextInt(latenesses.length)],
                            new int[] {4, 8, 12}[r.nextInt(3)],
                            new int[] {15, 400, 20_000}[r.nextInt(3)],
                            1 + r.nextInt(6));
            Run run = run(setup, r);
            String where = "seed " + seed + " " + setup;

            assertEquals(run.referenceLate, run.slicedLate, where + ": late events");
            assertEquals(run.reference.keySet(), run.sliced.keySet(), where + ": streams");
            for (String stream : run.reference.keySet()) {
                List<WindowSummary> expected = run.reference.get(stream);
                List<WindowSummary> actual = run.sliced.get(stream);
                assertEquals(
                        expected.stream().map(s -> s.windowEnd).toList(),
                        actual.stream().map(s -> s.windowEnd).toList(),
                        where + ": windows written for " + stream);
                for (int i = 0; i < expected.size(); i++) {
                    WindowSummary e = expected.get(i), a = actual.get(i);
                    assertEquals(withoutChatters(e), withoutChatters(a), where);
                    // Equal, not within an error bound: Flink's window updates one sketch per
                    // window, SlicedWindows unions the slices' sketches, and both end up with the
                    // same coupons (list/set mode) or the same register values (the maximum per
                    // register, HLL mode) for the same set of users. The composite estimate is a
                    // function of those alone (its register sums are exact in a double), unlike
                    // the HIP estimate, which depends on the order of updates.
                    assertEquals(e.uniqueChatters, a.uniqueChatters, where + " " + e);
                    if (e.uniqueChatters > SketchTolerance.couponCapacity(setup.lgK)) {
                        estimated++;
                    }
                }
                windows += expected.size();
            }
            lateEvents += run.referenceLate.size();
            lateUpdates += run.lateUpdates;
        }
        System.out.printf(
                "compared %d windows (%d late re-writes, %d with an estimate beyond the sketch's"
                        + " list/set mode), %d late events%n",
                windows, lateUpdates, estimated, lateEvents);
        // the random input must exercise every path the comparison is about
        assertTrue(windows > 5_000, "windows " + windows);
        assertTrue(lateEvents > 100, "late events " + lateEvents);
        assertTrue(lateUpdates > 100, "late re-writes " + lateUpdates);
        assertTrue(estimated > 500, "windows in the sketch's estimating range " + estimated);
    }

    record Run(
            Map<String, List<WindowSummary>> reference,
            Map<String, List<WindowSummary>> sliced,
            List<Long> referenceLate,
            List<Long> slicedLate,
            int lateUpdates) {}

    static Run run(Setup setup, Random r) throws Exception {
        var reference = referenceHarness(setup);
        var sliced =
                new KeyedOneInputStreamOperatorTestHarness<String, Event, WindowSummary>(
                        new KeyedProcessOperator<>(
                                new SlicedWindows(
                                        setup.size, setup.slide, setup.lateness, setup.lgK)),
                        e -> e.streamId,
                        Types.STRING);
        reference.open();
        sliced.open();

        // streams start and stop at random times, so some go idle while others keep sending
        long t0 = 1_750_000_000_000L + r.nextInt(1_000_000);
        long duration = 240_000 + r.nextInt(240_000);
        long[][] active = new long[setup.streams][];
        for (int s = 0; s < setup.streams; s++) {
            long from = t0 + (long) (r.nextDouble() * duration / 2);
            long to = from + (long) (r.nextDouble() * duration);
            active[s] = new long[] {from, to};
        }
        double perMs = setup.users >= 20_000 ? 0.15 : 0.05;
        long now = t0;
        long maxTs = Long.MIN_VALUE;
        long watermark = Long.MIN_VALUE;
        while (now < t0 + duration + 60_000) {
            now += 1 + (long) (-Math.log(1 - r.nextDouble()) / perMs / setup.streams);
            int s = r.nextInt(setup.streams);
            if (now < active[s][0] || now > active[s][1]) {
                continue;
            }
            long ts = now - r.nextInt(8_000);
            if (r.nextInt(1000) < 3) {
                ts = now - 10_000 - r.nextInt(120_000); // straggler: late or within lateness
            }
            Event e = event(r, "stream-" + s, ts, setup.users);
            reference.processElement(e, ts);
            sliced.processElement(e, ts);
            maxTs = Math.max(maxTs, ts);
            int dice = r.nextInt(100_000);
            long next = watermark;
            if (dice < 1_500) {
                next = maxTs - 8_001;
            } else if (dice < 3_000) {
                // exactly at a window's last millisecond, where "late" begins
                next = maxTs - 8_001 - Math.floorMod(maxTs - 8_001, setup.slide) - 1;
            } else if (dice == 3_000) {
                next = maxTs + r.nextInt(15_000); // an idle source stopped holding it back
            }
            if (next > watermark) {
                watermark = next;
                reference.processWatermark(watermark);
                sliced.processWatermark(watermark);
            }
        }
        reference.processWatermark(Long.MAX_VALUE);
        sliced.processWatermark(Long.MAX_VALUE);
        // every window has been written and is past its lateness: nothing may be left behind
        assertEquals(0, sliced.numKeyedStateEntries(), setup + ": keyed state left");
        assertEquals(0, sliced.numEventTimeTimers(), setup + ": timers left");

        List<WindowSummary> written = sliced.extractOutputValues();
        java.util.Set<String> seen = new java.util.HashSet<>();
        int lateUpdates = 0;
        for (WindowSummary s : written) {
            if (!seen.add(s.streamId + "/" + s.windowEnd)) {
                lateUpdates++; // the same window written again
            }
        }
        Run run =
                new Run(
                        byStream(reference.extractOutputValues()),
                        byStream(written),
                        timestamps(reference.getSideOutput(REFERENCE_LATE)),
                        timestamps(sliced.getSideOutput(SlicedWindows.LATE)),
                        lateUpdates);
        reference.close();
        sliced.close();
        return run;
    }

    @SuppressWarnings("unchecked")
    static KeyedOneInputStreamOperatorTestHarness<String, Event, WindowSummary> referenceHarness(
            Setup setup) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        SingleOutputStreamOperator<WindowSummary> windows =
                env.fromData(Event.viewer("x", 0, 0))
                        .keyBy(e -> e.streamId, Types.STRING)
                        .window(
                                SlidingEventTimeWindows.of(
                                        Duration.ofMillis(setup.size),
                                        Duration.ofMillis(setup.slide)))
                        .allowedLateness(Duration.ofMillis(setup.lateness))
                        .sideOutputLateData(REFERENCE_LATE)
                        .aggregate(new ChatAggregate(setup.lgK), new EmitSummary());
        StreamOperatorFactory<WindowSummary> factory =
                ((OneInputTransformation<Event, WindowSummary>) windows.getTransformation())
                        .getOperatorFactory();
        return new KeyedOneInputStreamOperatorTestHarness<>(factory, e -> e.streamId, Types.STRING);
    }

    static Event event(Random r, String stream, long ts, int users) {
        if (r.nextInt(10) == 0) {
            return Event.viewer(stream, ts, r.nextInt(50_000));
        }
        String[] emotes = null;
        if (r.nextBoolean()) {
            emotes = new String[r.nextInt(4)];
            for (int i = 0; i < emotes.length; i++) {
                emotes[i] = EMOTES[r.nextInt(EMOTES.length)];
            }
        }
        Event e = Event.chat(stream, ts, "user-" + r.nextInt(users), "-", emotes);
        e.sentiment = (r.nextInt(2001) - 1000) / 1000.0;
        return e;
    }

    static Map<String, List<WindowSummary>> byStream(List<WindowSummary> out) {
        Map<String, List<WindowSummary>> by = new LinkedHashMap<>();
        for (WindowSummary s : out) {
            by.computeIfAbsent(s.streamId, k -> new ArrayList<>()).add(s);
        }
        return new java.util.TreeMap<>(by);
    }

    static List<Long> timestamps(java.util.Collection<StreamRecord<Event>> late) {
        List<Long> ts = new ArrayList<>();
        if (late != null) {
            late.forEach(rec -> ts.add(rec.getValue().timestamp));
        }
        return ts;
    }

    static String withoutChatters(WindowSummary s) {
        return String.join(
                " ",
                s.streamId,
                "start=" + s.windowStart,
                "end=" + s.windowEnd,
                "chats=" + s.chatCount,
                "sentiment=" + s.avgSentiment,
                "pos=" + s.positiveCount,
                "neg=" + s.negativeCount,
                "emotes=" + Arrays.toString(s.topEmotes),
                "top=" + s.topEmoteCount,
                "rate=" + s.chatRate,
                "viewers=" + s.avgViewers);
    }
}
