package io.telemetra.tools.bench;

import io.telemetra.event.Event;
import io.telemetra.window.ChatAggregate;
import io.telemetra.window.EmitSummary;
import io.telemetra.window.SlicedWindows;
import io.telemetra.window.SlicedWindowsOperator;
import io.telemetra.window.WindowSummary;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * Keyed state per active stream, measured as the bytes of a real checkpoint of the window operator
 * (heap backend, default sketch size lg K = 12): 100 streams chatting steadily for two minutes at a
 * given rate, snapshotted mid-window. The same input through Flink's sliding windows gives the
 * comparison, since each of its six open windows keeps its own accumulator and sketch.
 */
final class StateSize {
    private StateSize() {}

    static final int STREAMS = 100;
    static final int LG_K = 12;
    static final String[] EMOTES = {"Pog", "KEKW", "LUL", "PogChamp", "Sadge"};

    static void report(PrintStream out) throws Exception {
        out.println("Keyed state per active stream (checkpoint bytes, lg K = " + LG_K + "):");
        out.println("| messages/s per stream | distinct chatters per minute | sliced | naive |");
        out.println("|---:|---:|---:|---:|");
        for (int[] load : new int[][] {{1, 30}, {10, 300}, {100, 3000}}) {
            long sliced = bytesPerStream(sliced(), load[0], load[1]);
            long naive = bytesPerStream(naive(), load[0], load[1]);
            out.printf(
                    Locale.ROOT,
                    "| %d | ~%d | %,d | %,d |%n",
                    load[0],
                    Math.min(load[1], load[0] * 60),
                    sliced,
                    naive);
        }
    }

    static long bytesPerStream(
            KeyedOneInputStreamOperatorTestHarness<String, Event, WindowSummary> h,
            int perSecond,
            int users)
            throws Exception {
        h.open();
        Random r = new Random(1);
        long t0 = 1_767_225_600_000L;
        long end = t0 + 125_000; // mid-window: five slices full, one half full
        for (long t = t0; t < end; t += 1000) {
            for (int s = 0; s < STREAMS; s++) {
                for (int m = 0; m < perSecond; m++) {
                    Event e =
                            Event.chat(
                                    "stream-" + s,
                                    t + m,
                                    "user-" + r.nextInt(users),
                                    "",
                                    new String[] {EMOTES[r.nextInt(EMOTES.length)]});
                    e.sentiment = r.nextDouble() - 0.5;
                    h.processElement(e, e.timestamp);
                }
                if (t % 10_000 == 0) {
                    h.processElement(Event.viewer("stream-" + s, t, 1000), t);
                }
            }
            h.processWatermark(t - 2_000);
        }
        h.prepareSnapshotPreBarrier(1); // what a checkpoint does first: the buffered deltas
        OperatorSubtaskState snapshot = h.snapshot(1, end);
        long bytes = 0;
        for (KeyedStateHandle handle : snapshot.getManagedKeyedState()) {
            bytes += handle.getStateSize();
        }
        h.close();
        return bytes / STREAMS;
    }

    static KeyedOneInputStreamOperatorTestHarness<String, Event, WindowSummary> sliced()
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new SlicedWindowsOperator(new SlicedWindows(60_000, 10_000, 0, LG_K)),
                e -> e.streamId,
                Types.STRING);
    }

    @SuppressWarnings("unchecked")
    static KeyedOneInputStreamOperatorTestHarness<String, Event, WindowSummary> naive()
            throws Exception {
        SingleOutputStreamOperator<WindowSummary> windows =
                StreamExecutionEnvironment.getExecutionEnvironment()
                        .fromData(Event.viewer("x", 0, 0))
                        .keyBy(e -> e.streamId, Types.STRING)
                        .window(
                                SlidingEventTimeWindows.of(
                                        Duration.ofSeconds(60), Duration.ofSeconds(10)))
                        .aggregate(new ChatAggregate(LG_K), new EmitSummary());
        StreamOperatorFactory<WindowSummary> factory =
                ((OneInputTransformation<Event, WindowSummary>) windows.getTransformation())
                        .getOperatorFactory();
        return new KeyedOneInputStreamOperatorTestHarness<>(factory, e -> e.streamId, Types.STRING);
    }
}
