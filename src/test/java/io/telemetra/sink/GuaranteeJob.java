package io.telemetra.sink;

import io.telemetra.config.TelemetraConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * The job of the guarantee tests: ids into the plain-INSERT test table through the sink under test,
 * with a recorder and a gate that talk to the test through files in a directory both can see, so
 * the same job runs in the test's MiniCluster ({@link ExactlyOnceGuaranteeIT}) and on a real
 * session cluster whose TaskManager shares no memory with the test ({@link TaskManagerKillIT},
 * which submits {@link #main} with {@code flink run -C file:target/test-classes/ -c
 * io.telemetra.sink.GuaranteeJob target/telemetra.jar <sink> <dir> <postgres url> <user>}, the
 * password in POSTGRES_PASSWORD).
 *
 * <p>Files: {@code last-<checkpoint>} (the last id before that checkpoint's barrier), {@code
 * restored} (a line per restore: the last id of the checkpoint it started from), {@code held} (the
 * checkpoint the gate holds), {@code release} (written by the test: {@code complete} or {@code
 * decline}), {@code completed-<checkpoint>}.
 */
public final class GuaranteeJob {
    private GuaranteeJob() {}

    public static void main(String[] args) throws Exception {
        ExactlyOnceGuaranteeIT.SinkUnderTest sink =
                ExactlyOnceGuaranteeIT.SinkUnderTest.valueOf(args[0]);
        String dir = args[1];
        Configuration conf = checkpointing();
        // the killed TaskManager is replaced within seconds; the job restarts on the new one
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 30);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(2));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        build(
                env,
                sink.build(
                        args[2],
                        args[3],
                        new TelemetraConfig.Secret(System.getenv("POSTGRES_PASSWORD"))),
                sink.label,
                dir);
        env.execute("TaskManager kill, sink " + sink.label);
    }

    /**
     * Checkpoints every 200 ms, one at a time; a declined one fails the job over, a held one never
     * times out.
     */
    static Configuration checkpointing() {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(200));
        conf.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, 0);
        conf.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, Duration.ofMinutes(10));
        conf.set(CheckpointingOptions.MAX_CONCURRENT_CHECKPOINTS, 1);
        return conf;
    }

    /**
     * The job at parallelism 1: a generator of ids 1..{@value ExactlyOnceGuaranteeIT#ROWS}, one
     * burst of {@value ExactlyOnceGuaranteeIT#BURST} per completed checkpoint and replayed from its
     * checkpointed position, chained to the {@link EpochFiles} recorder and the sink under test;
     * the recorder also feeds, in a task of its own, the {@link HoldOnce} gate.
     */
    static void build(StreamExecutionEnvironment env, Sink<Long> sink, String name, String dir) {
        env.setParallelism(1);
        DataStream<Long> ids =
                env.fromSource(
                                new DataGeneratorSource<>(
                                        index -> index + 1,
                                        ExactlyOnceGuaranteeIT.ROWS,
                                        RateLimiterStrategy.perCheckpoint(
                                                ExactlyOnceGuaranteeIT.BURST),
                                        Types.LONG),
                                WatermarkStrategy.noWatermarks(),
                                "ids")
                        .uid("ids")
                        .map(new EpochFiles(dir))
                        .uid("epoch-recorder");
        ids.sinkTo(sink).uid("sink-under-test").name(name);
        ids.map(new HoldOnce(dir))
                .uid("checkpoint-gate")
                .disableChaining()
                .sinkTo(new DiscardingSink<>())
                .uid("discard");
    }

    /** Written whole or not at all: the reader polls for the name. */
    static void write(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The number in a file, or null while there is no such file. */
    static Long read(Path file) throws IOException {
        return Files.exists(file) ? Long.valueOf(Files.readString(file).strip()) : null;
    }

    /**
     * Passes the ids on and writes, at each checkpoint, the last id before its barrier. Chained in
     * front of the sink, so its snapshot runs after the sink's (Flink snapshots a chain from the
     * tail).
     */
    static final class EpochFiles implements MapFunction<Long, Long>, CheckpointedFunction {
        private final String dir;
        private transient ListState<Long> state;
        private long lastId;

        EpochFiles(String dir) {
            this.dir = dir;
        }

        @Override
        public Long map(Long id) {
            lastId = id;
            return id;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            state.update(List.of(lastId));
            write(Path.of(dir, "last-" + context.getCheckpointId()), Long.toString(lastId));
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            state =
                    context.getOperatorStateStore()
                            .getListState(new ListStateDescriptor<>("last-id", Types.LONG));
            for (Long id : state.get()) {
                lastId = id;
            }
            if (context.isRestored()) {
                Files.writeString(
                        Path.of(dir, "restored"),
                        lastId + "\n",
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
        }
    }

    /**
     * Holds one checkpoint in its snapshot, after the sink has passed that checkpoint's barrier
     * (the recorder has written its {@code last-} file), until the test writes {@code release}:
     * {@code complete} lets it complete, {@code decline} declines it by throwing. It holds the
     * first checkpoint whose epoch has rows and follows an epoch with rows, once per directory.
     * Completed checkpoints leave a {@code completed-<checkpoint>} file.
     */
    static final class HoldOnce
            implements MapFunction<Long, Long>, CheckpointedFunction, CheckpointListener {
        private final String dir;

        HoldOnce(String dir) {
            this.dir = dir;
        }

        @Override
        public Long map(Long id) {
            return id;
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {}

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            long checkpoint = context.getCheckpointId();
            Path held = Path.of(dir, "held");
            if (Files.exists(held)) {
                return;
            }
            Long epochEnd = null;
            for (int i = 0; i < 6000 && epochEnd == null; i++) {
                epochEnd = read(Path.of(dir, "last-" + checkpoint));
                Thread.sleep(5);
            }
            Long previousEnd = read(Path.of(dir, "last-" + (checkpoint - 1)));
            if (epochEnd == null
                    || previousEnd == null
                    || previousEnd == 0
                    || epochEnd <= previousEnd) {
                return; // not an epoch with rows after one with rows
            }
            write(held, Long.toString(checkpoint));
            Path release = Path.of(dir, "release");
            for (int i = 0; i < 6000 && !Files.exists(release); i++) {
                Thread.sleep(100);
            }
            if (Files.exists(release) && Files.readString(release).equals("decline")) {
                throw new IllegalStateException(
                        "checkpoint " + checkpoint + " declined by the test");
            }
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws IOException {
            write(Path.of(dir, "completed-" + checkpointId), "");
        }
    }
}
