package io.telemetra.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.event.Event;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * {@link SlicedWindows} keeps a stream's state only while a window can still use it: once the
 * watermark passes the stream's last window plus the allowed lateness, no keyed state and no timer
 * is left for it. Streams end all the time; anything left behind would pile up for ever.
 */
class SlicedWindowsStateTest {
    static final long SIZE = 60_000;
    static final long SLIDE = 10_000;

    static KeyedOneInputStreamOperatorTestHarness<String, Event, WindowSummary> harness(
            long lateness) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<String, Event, WindowSummary>(
                        new SlicedWindowsOperator(new SlicedWindows(SIZE, SLIDE, lateness, 12)),
                        e -> e.streamId,
                        Types.STRING);
        h.open();
        return h;
    }

    static void send(
            KeyedOneInputStreamOperatorTestHarness<String, Event, WindowSummary> h, long... ts)
            throws Exception {
        for (long t : ts) {
            h.processElement(Event.chat("s", t, "u" + t, "hi", null), t);
        }
    }

    static List<Long> ends(KeyedOneInputStreamOperatorTestHarness<String, Event, WindowSummary> h) {
        return h.extractOutputValues().stream().map(s -> s.windowEnd).toList();
    }

    @Test
    void aStreamLeavesNoStateAndNoTimerOnceItsLastWindowIsWritten() throws Exception {
        var h = harness(0);
        send(h, 1_000, 12_000, 24_500); // last slice [20 s, 30 s): last window ends at 80 s
        h.processWatermark(79_998);
        assertTrue(h.numKeyedStateEntries() > 0, "the window ending at 80 s is still to write");
        assertTrue(h.numEventTimeTimers() > 0);

        h.processWatermark(79_999);
        assertEquals(80_000L, ends(h).get(ends(h).size() - 1), "the last window was written");
        assertEquals(0, h.numKeyedStateEntries(), "keyed state left");
        assertEquals(0, h.numEventTimeTimers(), "timers left");
        h.close();
    }

    @Test
    void withAllowedLatenessTheStateStaysForTheLatenessThenNothingIsLeft() throws Exception {
        var h = harness(25_000);
        send(h, 1_000, 12_000, 24_500);
        h.processWatermark(79_999);
        assertEquals(80_000L, ends(h).get(ends(h).size() - 1));
        h.processWatermark(79_999 + 25_000 - 1);
        assertTrue(h.numKeyedStateEntries() > 0, "a late event may still update the last window");
        assertTrue(h.numEventTimeTimers() > 0);

        h.processWatermark(79_999 + 25_000);
        assertEquals(0, h.numKeyedStateEntries(), "keyed state left");
        assertEquals(0, h.numEventTimeTimers(), "timers left");
        h.close();
    }

    @Test
    void aLateEventWithinTheLatenessRewritesItsWindowAndLeavesNothingBehind() throws Exception {
        var h = harness(25_000);
        send(h, 1_000, 24_500);
        h.processWatermark(85_000); // every window of the late event's slice has been written
        int written = ends(h).size();

        send(h, 15_000); // a new slice [10 s, 20 s); its window ending at 70 s is within lateness
        assertEquals(List.of(70_000L), ends(h).subList(written, ends(h).size()));
        assertTrue(h.getSideOutput(SlicedWindows.LATE) == null, "not late: within the lateness");

        h.processWatermark(79_999 + 25_000);
        assertEquals(0, h.numKeyedStateEntries(), "keyed state left");
        assertEquals(0, h.numEventTimeTimers(), "timers left");

        send(h, 24_000); // too late for every window: rejected, and it must not create state
        assertEquals(1, h.getSideOutput(SlicedWindows.LATE).size());
        assertEquals(0, h.numKeyedStateEntries(), "keyed state left by a late event");
        assertEquals(0, h.numEventTimeTimers(), "timers left by a late event");
        h.close();
    }

    @Test
    void eventsReachKeyedStateOnlyAtAFlushNotOneByOne() throws Exception {
        // on RocksDB every state write serializes the slice's sketch: the per-event path must not
        // write state at all, only the flush before a checkpoint (or a timer) does, once per slice
        var h =
                new KeyedOneInputStreamOperatorTestHarness<String, Event, WindowSummary>(
                        new SlicedWindowsOperator(new SlicedWindows(SIZE, SLIDE, 0, 12)),
                        e -> e.streamId,
                        Types.STRING);
        h.setStateBackend(new org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend());
        h.open();
        var backend = ((SlicedWindowsOperator) h.getOperator()).getKeyedStateBackend();
        for (int i = 0; i < 1_000; i++) {
            h.processElement(Event.chat("busy", 1_000 + i, "u" + i, "hi", null), 1_000 + i);
        }
        try (var keys = backend.getKeys("slices", VoidNamespace.INSTANCE)) {
            assertEquals(0, keys.count(), "1,000 events of one slice, none written to state yet");
        }
        h.prepareSnapshotPreBarrier(1);
        try (var keys = backend.getKeys("slices", VoidNamespace.INSTANCE)) {
            assertEquals(1, keys.count(), "the checkpoint's flush wrote the slice");
        }
        h.processWatermark(9_999);
        assertEquals(1_000L, h.extractOutputValues().get(0).chatCount);
        h.close();
    }

    @Test
    void aWindowCarriedOverFrom010LeavesNoStateOnceWritten() throws Exception {
        // what ./telemetra migrate-savepoint writes for a window 0.1.0 had open: its accumulator
        // and a timer at its end (no lateness)
        var bootstrap =
                new KeyedOneInputStreamOperatorTestHarness<String, Event, WindowSummary>(
                        new KeyedProcessOperator<>(new CarryLikeMigrateSavepoint()),
                        e -> e.streamId,
                        Types.STRING);
        bootstrap.open();
        bootstrap.processElement(Event.chat("s", 55_000, "u", "hi", null), 55_000);
        OperatorSubtaskState migrated = bootstrap.snapshot(1L, 1L);
        bootstrap.close();

        var h =
                new KeyedOneInputStreamOperatorTestHarness<String, Event, WindowSummary>(
                        new SlicedWindowsOperator(new SlicedWindows(SIZE, SLIDE, 0, 12)),
                        e -> e.streamId,
                        Types.STRING);
        h.initializeState(migrated);
        h.open();
        assertEquals(1, h.numKeyedStateEntries());
        assertEquals(1, h.numEventTimeTimers());

        h.processWatermark(59_999);
        assertEquals(List.of(60_000L), ends(h), "the carried window is written at its end");
        assertEquals(1L, h.extractOutputValues().get(0).chatCount);
        assertEquals(0, h.numKeyedStateEntries(), "keyed state left");
        assertEquals(0, h.numEventTimeTimers(), "timers left");
        h.close();
    }

    /** Stands in for the migration: one event becomes the window [0 s, 60 s) carried over. */
    static final class CarryLikeMigrateSavepoint
            extends KeyedProcessFunction<String, Event, WindowSummary> {
        private transient MapState<Long, WindowAccumulator> carried;

        @Override
        public void open(OpenContext ctx) {
            carried = getRuntimeContext().getMapState(SlicedWindows.carriedDescriptor());
        }

        @Override
        public void processElement(Event e, Context ctx, Collector<WindowSummary> out)
                throws Exception {
            WindowAccumulator acc = new WindowAccumulator();
            acc.add(e, 12);
            carried.put(SIZE, acc);
            ctx.timerService().registerEventTimeTimer(SIZE - 1);
        }
    }
}
