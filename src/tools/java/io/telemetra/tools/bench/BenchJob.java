package io.telemetra.tools.bench;

import com.sun.management.OperatingSystemMXBean;
import io.telemetra.Pipeline;
import io.telemetra.TelemetraJob;
import io.telemetra.config.TelemetraConfig;
import io.telemetra.event.Event;
import io.telemetra.kafka.KafkaSources;
import io.telemetra.sentiment.Lexicon;
import io.telemetra.sentiment.SentimentScorer;
import io.telemetra.window.ChatAggregate;
import io.telemetra.window.EmitSummary;
import io.telemetra.window.WindowSummary;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.functions.ScalarFunction;

/**
 * One variant of the benchmark, in its own JVM so that its CPU time and peak RSS are its own. Runs
 * on a local MiniCluster at parallelism 2 over the whole corpus (replay: the Kafka sources end at
 * the offsets present at start) and prints one {@code RESULT} line for {@link Bench}.
 *
 * <p>Usage: {@code BenchJob <variant> <telemetra options...>}; the options are the job's own
 * ({@code --kafka.bootstrap-servers}, topics, {@code --postgres.url}, ...).
 */
public final class BenchJob {
    private BenchJob() {}

    public static void main(String[] argv) throws Exception {
        String variant = argv[0];
        String[] options = Arrays.copyOfRange(argv, 1, argv.length);
        TelemetraConfig cfg = TelemetraConfig.load(options, System.getenv());
        long expected = Long.parseLong(System.getProperty("bench.records", "0"));
        // the job's own checkpoint storage; a failure ends the run instead of restarting it
        Configuration flink = TelemetraJob.environment(cfg);
        flink.setString("restart-strategy.type", "none");
        flink.setString(
                "metrics.reporter.bench.factory.class", SourceProgress.Factory.class.getName());
        flink.setString("metrics.reporter.bench.interval", "1 h");
        // the REST API, for the checkpoint statistics printed at the end
        int restPort = Bench.freePort();
        flink.setString("rest.bind-address", "127.0.0.1");
        flink.setString("rest.port", Integer.toString(restPort));
        if (variant.endsWith("-rocksdb")) {
            // the backend the README recommends for many streams, as a cluster would run it
            flink.setString("state.backend.type", "rocksdb");
            flink.setString("execution.checkpointing.incremental", "true");
            flink.setString("state.backend.rocksdb.use-bloom-filter", "true"); // flink-conf/
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        env.setParallelism(2);

        long cpu0, t0;
        JobClient job;
        switch (variant) {
            case "floor",
                    "telemetra-windows",
                    "telemetra-windows-rocksdb",
                    "telemetra-windows-no-text",
                    "telemetra-windows-local",
                    "naive" -> {
                Pipeline.Events branches =
                        Pipeline.events(
                                env,
                                cfg,
                                KafkaSources.create(cfg),
                                variant.equals("floor") ? null : TelemetraJob.lexicon(cfg));
                DataStream<Event> events = branches.all();
                if (variant.endsWith("-no-text")) {
                    // what carrying the text across the key-by costs: the windows never read it
                    // (sentiment is scored before), only a late event's rejection payload does
                    events = events.map(BenchJob::withoutText).name("Drop the text");
                }
                if (variant.equals("floor")) {
                    events.sinkTo(new Counting<>(variant)).name("Discard");
                } else if (variant.equals("telemetra-windows-local")) {
                    LocalAggregation.windows(branches, cfg.windows())
                            .sinkTo(new Counting<>(variant))
                            .name("Discard");
                } else {
                    windows(events, cfg, variant).sinkTo(new Counting<>(variant)).name("Discard");
                }
                cpu0 = cpuNanos();
                t0 = System.nanoTime();
                job = env.executeAsync("bench " + variant);
            }
            case "telemetra-full", "telemetra-full-rocksdb" -> {
                TelemetraJob.build(env, cfg);
                cpu0 = cpuNanos();
                t0 = System.nanoTime();
                job = env.executeAsync("bench " + variant);
            }
            case "flink-sql", "flink-sql-tuned" -> {
                StreamTableEnvironment tables = StreamTableEnvironment.create(env);
                env.enableCheckpointing(cfg.checkpointInterval().toMillis());
                if (variant.equals("flink-sql-tuned")) {
                    FlinkSqlVariant.tune(tables);
                }
                FlinkSqlVariant.define(tables, cfg);
                tables.toDataStream(tables.sqlQuery(FlinkSqlVariant.select(cfg)))
                        .sinkTo(new Counting<>(variant))
                        .name("Count");
                cpu0 = cpuNanos();
                t0 = System.nanoTime();
                job = env.executeAsync("bench " + variant);
            }
            default -> throw new IllegalArgumentException("unknown variant " + variant);
        }
        // steady state: from 10 % to 90 % of the records read, sampled every 100 ms
        long[] from = null, to = null;
        var result = job.getJobExecutionResult();
        // the per-job MiniCluster stops with the job: read its checkpoint statistics while it runs
        String checkpoints = " cp_error=no_statistics_read";
        long nextStats = 0;
        while (!result.isDone()) {
            if (System.nanoTime() >= nextStats) {
                String stats = checkpoints(restPort, job.getJobID().toString());
                if (!stats.contains("cp_error") && !result.isDone()) {
                    checkpoints = stats;
                }
                nextStats = System.nanoTime() + 1_000_000_000L;
            }
            long[] sample = {System.nanoTime(), cpuNanos(), SourceProgress.recordsRead()};
            if (from == null && sample[2] >= expected / 10) {
                from = sample;
            }
            if (sample[2] <= expected * 9 / 10) {
                to = sample;
            }
            Thread.sleep(100);
        }
        result.get();
        long wallNanos = System.nanoTime() - t0;
        long cpu = cpuNanos() - cpu0;
        LongAdder out = Counting.COUNTS.get(variant);
        boolean steady = from != null && to != null && to[2] > from[2];
        System.out.printf(
                "RESULT variant=%s wall_ms=%d cpu_ms=%d rss_kib=%d outputs=%d read=%d"
                        + " steady_records=%d steady_wall_ms=%d steady_cpu_ms=%d%s%n",
                variant,
                wallNanos / 1_000_000,
                cpu / 1_000_000,
                peakRssKib(),
                out == null ? -1 : out.sum(),
                SourceProgress.recordsRead(),
                steady ? to[2] - from[2] : 0,
                steady ? (to[0] - from[0]) / 1_000_000 : 0,
                steady ? (to[1] - from[1]) / 1_000_000 : 0,
                checkpoints);
        if (Counting.KEYS != null) {
            Files.write(
                    Path.of(System.getProperty("bench.keys")),
                    new java.util.TreeSet<>(Counting.KEYS));
        }
        System.exit(0);
    }

    /**
     * The job's checkpoint statistics from the REST API: how many completed, the largest full
     * state, the mean size written per checkpoint (smaller than the state when incremental) and the
     * mean and longest end-to-end duration.
     */
    static String checkpoints(int restPort, String jobId) {
        try {
            var http = java.net.http.HttpClient.newHttpClient();
            String body =
                    http.send(
                                    java.net.http.HttpRequest.newBuilder(
                                                    java.net.URI.create(
                                                            "http://127.0.0.1:"
                                                                    + restPort
                                                                    + "/jobs/"
                                                                    + jobId
                                                                    + "/checkpoints"))
                                            .build(),
                                    java.net.http.HttpResponse.BodyHandlers.ofString())
                            .body();
            var json =
                    new org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind
                                    .ObjectMapper()
                            .readTree(body);
            var summary = json.path("summary");
            return String.format(
                    " cp_completed=%d cp_state_max=%d cp_written_avg=%d cp_duration_avg_ms=%d"
                            + " cp_duration_max_ms=%d",
                    json.path("counts").path("completed").asLong(),
                    summary.path("state_size").path("max").asLong(),
                    summary.path("checkpointed_size").path("avg").asLong(),
                    summary.path("end_to_end_duration").path("avg").asLong(),
                    summary.path("end_to_end_duration").path("max").asLong());
        } catch (Exception e) {
            return " cp_error="
                    + (e.getClass().getSimpleName() + ":" + e.getMessage()).replaceAll("\\s+", "_");
        }
    }

    static Event withoutText(Event e) {
        e.message = null;
        return e;
    }

    /** Flink's sliding windows for "naive", Telemetra's sliced windows otherwise. */
    static DataStream<WindowSummary> windows(
            DataStream<Event> events, TelemetraConfig cfg, String variant) {
        return variant.equals("naive")
                ? events.keyBy(e -> e.streamId, Types.STRING)
                        .window(
                                SlidingEventTimeWindows.of(
                                        cfg.windows().size(), cfg.windows().slide()))
                        .aggregate(new ChatAggregate(cfg.windows().sketchLgK()), new EmitSummary())
                        .name("SlidingEventTimeWindows")
                : Pipeline.windows(events, cfg.windows());
    }

    static long cpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** VmHWM: the most resident memory this process has had. */
    static long peakRssKib() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** Discards records and counts them (the MiniCluster runs in this JVM). */
    static final class Counting<T> implements Sink<T> {
        static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();

        /** With -Dbench.keys=FILE: every window's stream and end, written to FILE at the end. */
        static final java.util.Set<String> KEYS =
                System.getProperty("bench.keys") == null ? null : ConcurrentHashMap.newKeySet();

        static String windowKey(Object o) {
            if (o instanceof WindowSummary w) {
                return w.streamId + " " + w.windowEnd;
            }
            if (o instanceof org.apache.flink.types.Row r) {
                Object end = r.getField(2);
                long millis =
                        end instanceof java.time.Instant i
                                ? i.toEpochMilli()
                                : ((java.time.LocalDateTime) end)
                                        .toInstant(java.time.ZoneOffset.UTC)
                                        .toEpochMilli();
                return r.getField(0) + " " + millis;
            }
            return String.valueOf(o);
        }

        private final String name;

        Counting(String name) {
            this.name = name;
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            LongAdder count = COUNTS.computeIfAbsent(name, k -> new LongAdder());
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context context) {
                    count.increment();
                    if (KEYS != null) {
                        KEYS.add(windowKey(element));
                    }
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    /** The sentiment scorer as a Flink SQL function, as a user of Flink SQL would register it. */
    public static final class Sentiment extends ScalarFunction {
        private transient SentimentScorer scorer;

        public Double eval(String message) {
            if (message == null) {
                return null;
            }
            if (scorer == null) {
                scorer = new SentimentScorer(Lexicon.builtIn());
            }
            return scorer.score(message);
        }
    }
}
