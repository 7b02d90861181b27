package io.telemetra.upgrade;

import io.telemetra.Operators;
import io.telemetra.config.CommandLine;
import io.telemetra.config.CommandOption;
import io.telemetra.config.Declared;
import io.telemetra.config.Option;
import io.telemetra.config.OptionType;
import io.telemetra.window.ChatAggregate;
import io.telemetra.window.SlicedWindows;
import io.telemetra.window.WindowAccumulator;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;
import org.apache.flink.state.api.functions.WindowReaderFunction;
import org.apache.flink.state.api.runtime.SavepointLoader;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Turns a savepoint of Telemetra 0.1.0 into one this version starts from without losing the windows
 * that were open. 0.1.0 kept them in Flink's window operator (uid {@code chat-windows}); this
 * version builds windows from slices ({@link SlicedWindows}, uid {@code chat-slices}). Each open
 * window's accumulator is carried over into the sliced windows' {@code windows-from-0.1.0} state
 * with a timer at its end, where it is merged with the slices of the events read after the upgrade.
 * Every other operator's state (Kafka offsets, moment baselines, sinks) is copied as is.
 *
 * <pre>
 * flink run -c io.telemetra.upgrade.MigrateSavepoint telemetra.jar \
 *     --from s3://bucket/savepoints/savepoint-0.1.0 --to s3://bucket/savepoints/migrated
 * </pre>
 *
 * Window size, slide, allowed lateness and sketch size must be those the 0.1.0 job ran with
 * (defaults: 60s, 10s, 0s, 12).
 */
public final class MigrateSavepoint {
    /** The uid of 0.1.0's window operator. */
    public static final String WINDOWS_0_1_0 = "chat-windows";

    static final CommandOption FROM =
            new CommandOption("from", null, OptionType.TEXT, "the 0.1.0 savepoint (a URI or path)");
    static final CommandOption TO =
            new CommandOption(
                    "to", null, OptionType.TEXT, "directory to write the migrated savepoint to");

    /**
     * The 0.1.0 job's window and sketch settings are read with the job's own declarations: same
     * names, defaults and syntax.
     */
    static final List<Declared> OPTIONS =
            List.of(
                    FROM,
                    TO,
                    Option.WINDOW_SIZE,
                    Option.WINDOW_SLIDE,
                    Option.ALLOWED_LATENESS,
                    Option.SKETCH_LG_K);

    public static final String USAGE =
            "Usage: migrate-savepoint --from SAVEPOINT --to DIRECTORY [options]\n"
                    + "Rewrites a Telemetra 0.1.0 savepoint for this version: the open windows are"
                    + " carried over into the sliced windows, everything else is copied. Then start"
                    + " the job with -s DIRECTORY. Pass the window and sketch options the 0.1.0 job"
                    + " ran with.\n"
                    + CommandLine.usage(OPTIONS);

    private MigrateSavepoint() {}

    public static void main(String[] args) throws Exception {
        if (Arrays.asList(args).contains("--help")) {
            System.out.println(USAGE);
            return;
        }
        CommandLine v = new CommandLine(args, OPTIONS);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        migrate(
                env,
                v.required(FROM),
                v.required(TO),
                v.get(Option.WINDOW_SIZE),
                v.get(Option.WINDOW_SLIDE),
                v.get(Option.ALLOWED_LATENESS),
                v.get(Option.SKETCH_LG_K));
    }

    public static void migrate(
            StreamExecutionEnvironment env,
            String from,
            String to,
            Duration size,
            Duration slide,
            Duration lateness,
            int lgK)
            throws Exception {
        requireWindowsOf010(from);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        SavepointReader old = SavepointReader.read(env, from, new HashMapStateBackend());
        DataStream<CarriedWindow> open =
                old.window(SlidingEventTimeWindows.of(size, slide))
                        .aggregate(
                                WINDOWS_0_1_0,
                                new ChatAggregate(lgK),
                                new ReadOpenWindow(),
                                Types.STRING,
                                TypeInformation.of(WindowAccumulator.class),
                                TypeInformation.of(CarriedWindow.class));
        SavepointWriter.fromExistingSavepoint(env, from, new HashMapStateBackend())
                .removeOperator(OperatorIdentifier.forUid(WINDOWS_0_1_0))
                .withOperator(
                        OperatorIdentifier.forUid(Operators.WINDOWS.uid()),
                        OperatorTransformation.bootstrapWith(open)
                                .keyBy(w -> w.streamId, Types.STRING)
                                .transform(new Carry(lateness.toMillis())))
                .write(to);
        env.execute("Telemetra: migrate a 0.1.0 savepoint");
    }

    /** Fails with what to do when the savepoint holds no 0.1.0 window operator. */
    static void requireWindowsOf010(String path) throws Exception {
        CheckpointMetadata metadata;
        try {
            metadata = SavepointLoader.loadSavepointMetadata(path);
        } catch (Exception e) {
            throw new IllegalArgumentException(
                    "cannot read a savepoint at " + path + ": " + e.getMessage(), e);
        }
        var id = OperatorIdentifier.forUid(WINDOWS_0_1_0).getOperatorId();
        var sliced = OperatorIdentifier.forUid(Operators.WINDOWS.uid()).getOperatorId();
        boolean has010 = false;
        for (OperatorState s : metadata.getOperatorStates()) {
            if (s.getOperatorID().equals(sliced) && s.getStateSize() > 0) {
                throw new IllegalArgumentException(
                        path
                                + " already holds sliced windows: it was written by this version"
                                + " (or migrated before); start the job from it directly");
            }
            has010 |= s.getOperatorID().equals(id);
        }
        if (!has010) {
            throw new IllegalArgumentException(
                    path + " holds no Telemetra 0.1.0 window state (uid " + WINDOWS_0_1_0 + ")");
        }
    }

    /** One window 0.1.0 had open: its stream, its end and what it had aggregated. */
    public static class CarriedWindow {
        public String streamId;
        public long end;
        public WindowAccumulator acc;

        public CarriedWindow() {}

        CarriedWindow(String streamId, long end, WindowAccumulator acc) {
            this.streamId = streamId;
            this.end = end;
            this.acc = acc;
        }
    }

    static final class ReadOpenWindow
            extends WindowReaderFunction<WindowAccumulator, CarriedWindow, String, TimeWindow> {
        @Override
        public void readWindow(
                String streamId,
                Context<TimeWindow> ctx,
                Iterable<WindowAccumulator> contents,
                Collector<CarriedWindow> out) {
            for (WindowAccumulator acc : contents) {
                out.collect(new CarriedWindow(streamId, ctx.window().getEnd(), acc));
            }
        }
    }

    /** Writes a carried window and the timers that fire it and, after the lateness, drop it. */
    static final class Carry extends KeyedStateBootstrapFunction<String, CarriedWindow> {
        private final long lateness;
        private transient MapState<Long, WindowAccumulator> carried;

        Carry(long lateness) {
            this.lateness = lateness;
        }

        @Override
        public void open(OpenContext ctx) {
            carried = getRuntimeContext().getMapState(SlicedWindows.carriedDescriptor());
        }

        @Override
        public void processElement(CarriedWindow w, Context ctx) throws Exception {
            carried.put(w.end, w.acc);
            ctx.timerService().registerEventTimeTimer(w.end - 1);
            if (lateness > 0) {
                ctx.timerService().registerEventTimeTimer(w.end - 1 + lateness);
            }
        }
    }
}
