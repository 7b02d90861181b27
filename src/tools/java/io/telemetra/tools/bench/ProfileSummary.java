package io.telemetra.tools.bench;

import io.telemetra.config.CommandOption;
import io.telemetra.tools.Args;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * {@code bench/profile FILE.jfr}: where a benchmark variant's CPU samples went (recorded with
 * {@code bench/run --jfr} or {@code bench/scale --jfr}). Each Java execution sample is charged to
 * the innermost frame that belongs to one of the stages below, so the shares add up to 100 % and a
 * HashMap lookup made by the window operator counts as window work, not as "other". Threads inside
 * native code (RocksDB's JNI calls) are not in Java execution samples; their native method samples
 * are counted separately.
 */
public final class ProfileSummary {
    /** Stage → class-name prefixes, matched against each frame from the innermost outwards. */
    static final Map<String, List<String>> STAGES = stages();

    private static Map<String, List<String>> stages() {
        Map<String, List<String>> s = new LinkedHashMap<>();
        s.put("HyperLogLog sketch (DataSketches)", List.of("org.apache.datasketches."));
        s.put("sentiment scoring", List.of("io.telemetra.sentiment."));
        s.put(
                "JSON parsing",
                List.of(
                        "io.telemetra.event.EventParser",
                        "io.telemetra.event.KafkaEventDeserializer",
                        "com.fasterxml.jackson.",
                        "org.apache.flink.shaded.jackson2."));
        s.put(
                "shuffle: (de)serializing records",
                List.of(
                        "io.telemetra.event.EventTypeInfo",
                        "io.telemetra.window.WindowAccumulatorTypeInfo",
                        "org.apache.flink.api.common.typeutils.",
                        "org.apache.flink.api.java.typeutils.runtime.",
                        "org.apache.flink.runtime.io.network.api.serialization.",
                        "org.apache.flink.streaming.runtime.streamrecord.StreamElementSerializer",
                        "org.apache.flink.core.memory."));
        s.put(
                "shuffle: network buffers and record hand-over",
                List.of(
                        "org.apache.flink.runtime.io.network.",
                        "org.apache.flink.streaming.runtime.io.",
                        "org.apache.flink.streaming.runtime.tasks.mailbox."));
        s.put("RocksDB (Java side)", List.of("org.rocksdb.", "org.apache.flink.state.rocksdb."));
        s.put(
                "sliced windows, keyed state and timers",
                List.of(
                        "io.telemetra.window.",
                        "io.telemetra.tools.bench.LocalAggregation",
                        "org.apache.flink.runtime.state.",
                        "org.apache.flink.streaming.api.operators.InternalTimer",
                        "org.apache.flink.streaming.api.operators.HeapInternalTimer",
                        "org.apache.flink.streaming.api.operators.KeyedProcessOperator"));
        s.put("moment detection", List.of("io.telemetra.anomaly."));
        s.put(
                "PostgreSQL sink (JDBC, driver)",
                List.of(
                        "io.telemetra.sink.",
                        "org.postgresql.",
                        "org.apache.flink.connector.jdbc."));
        s.put(
                "Kafka client and source",
                List.of("org.apache.kafka.", "org.apache.flink.connector.kafka."));
        s.put(
                "checkpointing",
                List.of(
                        "org.apache.flink.runtime.checkpoint.",
                        "org.apache.flink.streaming.runtime.tasks.SubtaskCheckpoint"));
        return s;
    }

    static final List<CommandOption> OPTIONS =
            List.of(Args.number("top", "20", 1, "innermost methods to list"));

    public static final String USAGE =
            Args.usage("Usage: bench/profile FILE.jfr [options]", OPTIONS);

    private ProfileSummary() {}

    public static void run(String[] argv, PrintStream out) throws Exception {
        if (argv.length == 0 || argv[0].startsWith("--")) {
            throw new IllegalArgumentException("name the .jfr file to summarise");
        }
        Path file = Path.of(argv[0]);
        Args args = new Args(java.util.Arrays.copyOfRange(argv, 1, argv.length), OPTIONS);
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new IllegalArgumentException(
                    file + " does not exist: record one with bench/run --jfr");
        }
        Map<String, Long> byStage = new LinkedHashMap<>();
        STAGES.keySet().forEach(k -> byStage.put(k, 0L));
        byStage.put("other", 0L);
        Map<String, Long> byMethod = new HashMap<>();
        Map<String, Long> nativeByMethod = new HashMap<>();
        long samples = 0, nativeSamples = 0;
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent e = recording.readEvent();
                String type = e.getEventType().getName();
                RecordedStackTrace stack = e.getStackTrace();
                if (stack == null || stack.getFrames().isEmpty()) {
                    continue;
                }
                if (type.equals("jdk.ExecutionSample")) {
                    samples++;
                    byStage.merge(stage(stack.getFrames()), 1L, Long::sum);
                    byMethod.merge(name(stack.getFrames().get(0)), 1L, Long::sum);
                } else if (type.equals("jdk.NativeMethodSample")) {
                    String top = name(stack.getFrames().get(0));
                    if (top.startsWith("org.rocksdb.")) {
                        nativeSamples++;
                        nativeByMethod.merge(top + " from " + caller(stack), 1L, Long::sum);
                    }
                }
            }
        }
        if (samples == 0) {
            throw new IllegalStateException(
                    file + " holds no execution samples: was it recorded with settings=profile?");
        }
        out.printf(Locale.ROOT, "%s: %,d Java execution samples%n%n", file, samples);
        out.println("| stage (innermost matching frame) | samples | share |");
        out.println("|---|---:|---:|");
        for (Map.Entry<String, Long> s : byStage.entrySet()) {
            out.printf(
                    Locale.ROOT,
                    "| %s | %,d | %.1f %% |%n",
                    s.getKey(),
                    s.getValue(),
                    100.0 * s.getValue() / samples);
        }
        int top = (int) args.longValue("top");
        out.printf("%nInnermost methods (self time), top %d:%n", top);
        printTop(byMethod, samples, top, out);
        if (nativeSamples > 0) {
            out.printf(
                    Locale.ROOT,
                    "%nThreads inside RocksDB's native code: %,d native method samples (sampled"
                            + " less often than Java execution; compare them with each other, not"
                            + " with the shares above)%n",
                    nativeSamples);
            printTop(nativeByMethod, nativeSamples, 12, out);
        }
    }

    private static void printTop(Map<String, Long> counts, long total, int n, PrintStream out) {
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(n)
                .forEach(
                        m ->
                                out.printf(
                                        Locale.ROOT,
                                        "  %5.1f %%  %s%n",
                                        100.0 * m.getValue() / total,
                                        m.getKey()));
    }

    static String stage(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            String type = f.getMethod().getType().getName();
            for (Map.Entry<String, List<String>> s : STAGES.entrySet()) {
                for (String prefix : s.getValue()) {
                    if (type.startsWith(prefix)) {
                        return s.getKey();
                    }
                }
            }
        }
        return "other";
    }

    /** The innermost Telemetra or Flink operator frame: who asked RocksDB. */
    private static String caller(RecordedStackTrace stack) {
        for (RecordedFrame f : stack.getFrames()) {
            String type = f.getMethod().getType().getName();
            if (type.startsWith("io.telemetra.")
                    || type.startsWith("org.apache.flink.streaming.api.operators.")
                    || type.startsWith("org.apache.flink.runtime.checkpoint.")) {
                return name(f);
            }
        }
        return "?";
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }
}
