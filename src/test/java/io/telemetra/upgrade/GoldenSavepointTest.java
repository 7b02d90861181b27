package io.telemetra.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.telemetra.Operators;
import io.telemetra.anomaly.DetectorState;
import io.telemetra.anomaly.MomentDetector;
import io.telemetra.testing.ExpectedWindows;
import io.telemetra.window.ChatAggregate;
import io.telemetra.window.WindowAccumulator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.state.api.functions.WindowReaderFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * A savepoint of version 0.1.0, committed under src/test/resources (written by {@link
 * WriteGoldenSavepoint}), read with the State Processor API by this version's classes: the moment
 * detector's ring buffers and the open windows' accumulators must come back as the input determines
 * them. A change to a uid, a state name or a serializer that breaks old savepoints fails here,
 * before a user's upgrade does.
 */
class GoldenSavepointTest {
    static final Path DIR = GoldenSavepoints.dir(GoldenSavepoints.FIRST_RELEASE);

    static final TreeMap<ExpectedWindows.Key, ExpectedWindows.Row> EXPECTED =
            ExpectedWindows.compute(GoldenInput.events());

    @Test
    void theMomentDetectorsRingBuffersComeBackAsSaved() throws Exception {
        TreeMap<String, String> restored = new TreeMap<>();
        try (CloseableIterator<String> it =
                reader().readKeyedState(
                                OperatorIdentifier.forUid(Operators.MOMENT_DETECTOR.uid()),
                                new ReadBaseline(),
                                Types.STRING,
                                Types.STRING)
                        .executeAndCollect()) {
            it.forEachRemaining(line -> restored.put(line.split(" ")[0], line));
        }

        TreeMap<String, String> expected = new TreeMap<>();
        for (String stream : GoldenInput.STREAMS) {
            // the 10 newest windows that fired, oldest first; their chat rates are the baseline
            List<String> rates = new ArrayList<>();
            long lastStart = GoldenInput.LAST_FIRED_END - ExpectedWindows.SIZE;
            for (int i = 9; i >= 0; i--) {
                ExpectedWindows.Row row =
                        EXPECTED.get(
                                new ExpectedWindows.Key(
                                        stream, lastStart - i * ExpectedWindows.SLIDE));
                rates.add(String.format("%.6f", row == null ? 0.0 : row.chatRate()));
            }
            expected.put(stream, stream + " last=" + lastStart + " rates=" + rates);
        }
        assertEquals(expected, restored);
    }

    @Test
    void theOpenWindowsComeBackAsSaved() throws Exception {
        TreeSet<String> restored = new TreeSet<>();
        try (CloseableIterator<String> it =
                reader().window(
                                SlidingEventTimeWindows.of(
                                        Duration.ofSeconds(60), Duration.ofSeconds(10)))
                        .aggregate(
                                MigrateSavepoint.WINDOWS_0_1_0,
                                new ChatAggregate(12),
                                new ReadWindow(),
                                Types.STRING,
                                TypeInformation.of(WindowAccumulator.class),
                                Types.STRING)
                        .executeAndCollect()) {
            it.forEachRemaining(restored::add);
        }

        TreeSet<String> expected = new TreeSet<>();
        EXPECTED.forEach(
                (k, row) -> {
                    if (k.windowStart() + ExpectedWindows.SIZE > GoldenInput.LAST_FIRED_END) {
                        Map<String, Integer> emotes = new TreeMap<>();
                        for (var e : GoldenInput.events()) {
                            if (e.chat()
                                    && e.streamId().equals(k.streamId())
                                    && e.timestamp() >= k.windowStart()
                                    && e.timestamp() < k.windowStart() + ExpectedWindows.SIZE) {
                                e.expectedEmotes().forEach(m -> emotes.merge(m, 1, Integer::sum));
                            }
                        }
                        expected.add(
                                describe(
                                        k.streamId(),
                                        k.windowStart(),
                                        row.chatCount(),
                                        row.uniqueChatters(),
                                        row.avgSentiment(),
                                        emotes,
                                        row.avgViewers()));
                    }
                });
        assertEquals(expected, restored);
    }

    private static SavepointReader reader() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        return SavepointReader.read(
                env, DIR.toAbsolutePath().toUri().toString(), new HashMapStateBackend());
    }

    static String describe(
            String stream,
            long windowStart,
            long chats,
            long users,
            Double sentiment,
            Map<String, Integer> emotes,
            Double viewers) {
        return String.format(
                "%s start=%d chats=%d users=%d sentiment=%s emotes=%s viewers=%s",
                stream,
                windowStart,
                chats,
                users,
                sentiment == null ? "-" : String.format("%.6f", sentiment),
                emotes,
                viewers == null ? "-" : String.format("%.3f", viewers));
    }

    /** One line per stream: the newest window start seen and the ring buffer, oldest first. */
    static final class ReadBaseline extends KeyedStateReaderFunction<String, String> {
        private transient ValueState<DetectorState> state;

        @Override
        public void open(OpenContext ctx) {
            state = getRuntimeContext().getState(MomentDetector.stateDescriptor());
        }

        @Override
        public void readKey(String stream, Context ctx, Collector<String> out) throws Exception {
            // saved by 0.1.0 in its flat layout; this version moves it into its baselines
            DetectorState s = state.value();
            s.prepare(10, 20);
            List<String> rates = new ArrayList<>();
            for (double r : s.chat.inOrder()) {
                rates.add(String.format("%.6f", r));
            }
            out.collect(stream + " last=" + s.lastWindowStart + " rates=" + rates);
        }
    }

    /** One line per open window, with what its accumulator holds. */
    static final class ReadWindow
            extends WindowReaderFunction<WindowAccumulator, String, String, TimeWindow> {
        @Override
        public void readWindow(
                String stream,
                Context<TimeWindow> ctx,
                Iterable<WindowAccumulator> contents,
                Collector<String> out) {
            for (WindowAccumulator acc : contents) {
                out.collect(
                        describe(
                                stream,
                                ctx.window().getStart(),
                                acc.chatCount(),
                                acc.uniqueChatters(),
                                acc.avgSentiment(),
                                new TreeMap<>(acc.emoteCounts()),
                                acc.avgViewers()));
            }
        }
    }
}
