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
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SlicedWindows} against Flink's own {@code SlidingEventTimeWindows} with the same aggregate
 * ({@link ChatAggregate} + {@link EmitSummary}): both operators get the same random input (several
 * streams, some going idle, out-of-order and late events, watermark jumps, allowed lateness) and
 * must write the same windows, in the same order per stream, and reject the same events as late,
 * and the sliced windows must leave no state and no timer behind after the last watermark. Unique
 * chatters must be equal too, estimates included: both sides sketch the same users with the same
 * code.
 *
 * <p>The sliced windows run on the heap and on the RocksDB backend, with buffer bounds from a flush
 * after every event to the production one, and are restored now and then from a checkpoint taken
 * while deltas were buffered (the reference runs on without a break): a delta lost or merged twice
 * at a checkpoint, a window merged before its deltas, or a lateness decision that depends on the
 * buffer shows up as a difference.
 */
class SlicedWindowsEquivalenceTest {
    static final OutputTag<Event> REFERENCE_LATE = new OutputTag<>("reference-late") {};
    static final String[] EMOTES = {"Pog", "KEKW", "LUL", "PogChamp", "Kappa", "monkaS"};

    record Setup(
            long size,
            long slide,
            long lateness,
            int lgK,
            int users,
            int streams,
            int maxBuffered,
            boolean rocksDb) {}

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void slicedWindowsWriteWhatSlidingWindowsWrite(String backend) throws Exception {
        int windows = 0, lateEvents = 0, lateUpdates = 0, estimated = 0, restores = 0;
        boolean rocksDb = backend.equals("rocksdb");
        for (int seed = 1; seed <= (rocksDb ? 30 : 60); seed++) {
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
                            1 + r.nextInt(6),
                            // from a flush after every event to the production bound
                            new int[] {1, 3, 64, SlicedWindows.DEFAULT_MAX_BUFFERED}[r.nextInt(4)],
                            rocksDb);
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
            restores += run.restores;
        }
        System.out.printf(
                "%s: compared %d windows (%d late re-writes, %d with an estimate beyond the"
                        + " sketch's list/set mode), %d late events, %d restores from a checkpoint"
                        + " taken with deltas buffered%n",
                backend, windows, lateUpdates, estimated, lateEvents, restores);
        // the random input must exercise every path the comparison is about
        assertTrue(restores > 20, "restores " + restores);
        assertTrue(windows > (rocksDb ? 2_500 : 5_000), "windows " + windows);
        assertTrue(lateEvents > 100, "late events " + lateEvents);
        assertTrue(lateUpdates > 100, "late re-writes " + lateUpdates);
        assertTrue(estimated > 500, "windows in the sketch's estimating range " + estimated);
    }

    record Run(
            Map<String, List<WindowSummary>> reference,
            Map<String, List<WindowSummary>> sliced,
            List<Long> referenceLate,
            List<Long> slicedLate,
            int lateUpdates,
            int restores) {}

    static KeyedOneInputStreamOperatorTestHarness<String, Event, WindowSummary> sliced(
            Setup setup, OperatorSubtaskState restoreFrom) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<String, Event, WindowSummary>(
                        new SlicedWindowsOperator(
                                new SlicedWindows(
                                        setup.size,
                                        setup.slide,
                                        setup.lateness,
                                        setup.lgK,
                                        setup.maxBuffered)),
                        e -> e.streamId,
                        Types.STRING);
        if (setup.rocksDb) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        if (restoreFrom != null) {
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    static Run run(Setup setup, Random r) throws Exception {
        var reference = referenceHarness(setup);
        var sliced = sliced(setup, null);
        reference.open();
        List<WindowSummary> slicedOut = new ArrayList<>();
        List<Long> slicedLate = new ArrayList<>();
        int restores = 0;
        long checkpointId = 0;

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
            if (r.nextInt(4_000) == 0) {
                // a failure right after a checkpoint: the job restarts from it, so whatever was
                // buffered when the checkpoint was taken must be in it
                checkpointId++;
                sliced.prepareSnapshotPreBarrier(checkpointId);
                OperatorSubtaskState checkpoint = sliced.snapshot(checkpointId, now);
                slicedOut.addAll(sliced.extractOutputValues());
                slicedLate.addAll(timestamps(sliced.getSideOutput(SlicedWindows.LATE)));
                sliced.close();
                sliced = sliced(setup, checkpoint);
                sliced.processWatermark(watermark); // the sources' watermark, emitted again
                restores++;
            }
        }
        reference.processWatermark(Long.MAX_VALUE);
        sliced.processWatermark(Long.MAX_VALUE);
        // every window has been written and is past its lateness: nothing may be left behind
        assertEquals(0, stateEntries(sliced, setup), setup + ": keyed state left");
        assertEquals(0, sliced.numEventTimeTimers(), setup + ": timers left");

        slicedOut.addAll(sliced.extractOutputValues());
        slicedLate.addAll(timestamps(sliced.getSideOutput(SlicedWindows.LATE)));
        List<WindowSummary> written = slicedOut;
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
                        slicedLate,
                        lateUpdates,
                        restores);
        reference.close();
        sliced.close();
        return run;
    }

    /** Keyed state entries; the harness counts them on the heap backend only. */
    static long stateEntries(
            KeyedOneInputStreamOperatorTestHarness<String, Event, WindowSummary> h, Setup setup)
            throws Exception {
        if (!setup.rocksDb) {
            return h.numKeyedStateEntries();
        }
        var backend = ((SlicedWindowsOperator) h.getOperator()).getKeyedStateBackend();
        long n = 0;
        for (String state :
                List.of(
                        SlicedWindows.slicesDescriptor().getName(),
                        SlicedWindows.carriedDescriptor().getName())) {
            try (var keys = backend.getKeys(state, VoidNamespace.INSTANCE)) {
                n += keys.count();
            }
        }
        return n;
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
