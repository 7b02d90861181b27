package io.telemetra.tools.bench;

import io.telemetra.config.CommandOption;
import io.telemetra.config.TelemetraConfig;
import io.telemetra.schema.Migrate;
import io.telemetra.tools.Args;
import io.telemetra.tools.demo.LocalKafka;
import io.telemetra.tools.generator.Generate;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench/run}: loads a deterministic corpus into a local Kafka broker, runs each variant over
 * it one after another (each in its own JVM, replay mode), prints throughput, CPU and memory per
 * variant and the ratios, then measures freshness with the generator running live.
 */
public final class Bench {
    static final List<CommandOption> OPTIONS =
            List.of(
                    Args.number(
                            "events",
                            "5000000",
                            1,
                            "corpus size: chat and viewer records together"),
                    Args.number("streams", "1000", 1, "streams, with power-law popularity"),
                    Args.number(
                            "rate", "5000", 1, "records per second of event time in the corpus"),
                    Args.number("seed", "7", 0, "corpus seed; the same seed gives the same corpus"),
                    Args.number("partitions", "2", 1, "partitions per topic"),
                    Args.text(
                            "variants",
                            "floor,telemetra-windows,telemetra-full,naive,flink-sql",
                            "comma-separated, run in this order"),
                    Args.duration(
                            "freshness",
                            "90s",
                            "how long to measure freshness per sink mode; 0s skips"),
                    Args.number(
                            "freshness-rate",
                            "2000",
                            1,
                            "live records per second while measuring freshness"),
                    Args.number("freshness-streams", "200", 1, "streams while measuring freshness"),
                    Args.text("heap", "2g", "-Xmx of each variant's JVM"),
                    Args.flag("jfr", "record a JFR profile of each variant to DIR/<variant>.jfr"),
                    Args.text("dir", "target/bench", "working folder, deleted first"));

    public static final String USAGE = Args.usage("Usage: bench/run [options]", OPTIONS);

    static final List<String> ALL =
            List.of("floor", "telemetra-windows", "telemetra-full", "naive", "flink-sql");

    private final Args args;
    private final PrintStream out;
    private boolean steady;

    public Bench(String[] argv, PrintStream out) {
        this.args = new Args(argv, OPTIONS);
        this.out = out;
    }

    /**
     * One variant's figures. The rates are steady-state: records read between 10 % and 90 % of the
     * corpus over the wall and CPU time in between; the totals include the cluster's start-up.
     */
    record Result(
            String variant,
            long records,
            long read,
            long wallMs,
            long cpuMs,
            long rssKib,
            long outputs,
            long steadyRecords,
            long steadyWallMs,
            long steadyCpuMs) {
        /** A corpus too small to sample a steady state falls back to the totals. */
        boolean steady() {
            return steadyRecords > 0 && steadyWallMs > 0 && steadyCpuMs > 0;
        }

        double perSecond(boolean steady) {
            return steady ? steadyRecords / (steadyWallMs / 1000.0) : records / (wallMs / 1000.0);
        }

        double perCoreSecond(boolean steady) {
            return steady ? steadyRecords / (steadyCpuMs / 1000.0) : records / (cpuMs / 1000.0);
        }
    }

    public void run() throws Exception {
        long events = args.longValue("events");
        int streams = (int) args.longValue("streams");
        int partitions = (int) args.longValue("partitions");
        List<String> variants = List.of(args.string("variants").split(","));
        for (String v : variants) {
            if (!ALL.contains(v)) {
                throw new IllegalArgumentException(
                        "unknown variant '" + v + "'; known: " + String.join(",", ALL));
            }
        }
        Path dir = Path.of(args.string("dir")).toAbsolutePath();
        deleteRecursively(dir);
        Files.createDirectories(dir);
        Path log4j = Path.of("src/tools/log4j2-tools.properties").toAbsolutePath();

        out.printf(
                Locale.ROOT,
                "Machine: %d cores, %s, Java %s%n",
                Runtime.getRuntime().availableProcessors(),
                cpuModel(),
                System.getProperty("java.version"));
        StateSize.report(out);
        int pgPort = freePort();
        int kafkaPort = freePort();
        try (EmbeddedPostgres pg =
                        EmbeddedPostgres.builder()
                                .setPort(pgPort)
                                .setDataDirectory(dir.resolve("postgres"))
                                .setServerConfig("max_prepared_transactions", "20")
                                .setServerConfig("listen_addresses", "127.0.0.1")
                                .start();
                LocalKafka kafka = new LocalKafka(dir.resolve("kafka"), kafkaPort, freePort())) {
            String jdbcUrl = "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres";
            // Ctrl-C: stop the broker and the database too (try-with-resources does not run then)
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(
                                    () -> {
                                        try {
                                            kafka.close();
                                            pg.close();
                                        } catch (Exception e) {
                                            // exiting anyway
                                        }
                                    }));
            schema(jdbcUrl);
            kafka.start(log4j);
            kafka.createTopic("bench.chat", partitions);
            kafka.createTopic("bench.viewer", partitions);

            out.printf(
                    Locale.ROOT,
                    "Loading %,d records (%d streams, seed %d) into Kafka (%d partitions per topic)"
                            + " ...%n",
                    events,
                    streams,
                    args.longValue("seed"),
                    partitions);
            long t0 = System.nanoTime();
            new Generate(
                            new String[] {
                                "--bootstrap-servers", kafka.bootstrap(),
                                "--chat-topic", "bench.chat",
                                "--viewer-topic", "bench.viewer",
                                "--rate", args.string("rate"),
                                "--streams", Integer.toString(streams),
                                "--count", Long.toString(events),
                                "--seed", args.string("seed"),
                                "--start", "2026-01-01T00:00:00Z",
                                "--progress-every", "0s"
                            },
                            new PrintStream(PrintStream.nullOutputStream()))
                    .run();
            out.printf(Locale.ROOT, "  loaded in %.1f s%n", (System.nanoTime() - t0) / 1e9);

            List<Result> results = new ArrayList<>();
            for (String variant : variants) {
                out.printf("Running %s ...%n", variant);
                Result r =
                        runVariant(
                                variant,
                                dir,
                                jdbcUrl,
                                kafka.bootstrap(),
                                events,
                                List.of(
                                        "--mode", "replay",
                                        "--kafka.topic.chat", "bench.chat",
                                        "--kafka.topic.viewer", "bench.viewer"));
                out.printf(
                        Locale.ROOT,
                        "  %,.0f events/s, %,.0f events/s per core, %.1f s, peak RSS %,d MiB%n",
                        r.perSecond(r.steady()),
                        r.perCoreSecond(r.steady()),
                        r.wallMs() / 1000.0,
                        r.rssKib() / 1024);
                results.add(r);
            }
            printTable(results);

            Duration freshness = args.duration("freshness");
            if (!freshness.isZero()) {
                for (String delivery : List.of("at-least-once", "exactly-once")) {
                    new Freshness(dir, jdbcUrl, kafka, out)
                            .measure(
                                    delivery,
                                    freshness,
                                    args.longValue("freshness-rate"),
                                    (int) args.longValue("freshness-streams"),
                                    javaCommand(dir, "freshness-" + delivery));
                }
            }
        }
    }

    private Result runVariant(
            String variant,
            Path dir,
            String jdbcUrl,
            String bootstrap,
            long events,
            List<String> options)
            throws Exception {
        List<String> cmd = javaCommand(dir, variant);
        cmd.add("-Dbench.records=" + events);
        cmd.add(BenchJob.class.getName());
        cmd.add(variant);
        cmd.addAll(options);
        cmd.addAll(
                List.of(
                        "--kafka.bootstrap-servers",
                        bootstrap,
                        "--kafka.group-id",
                        "bench-" + variant,
                        "--postgres.url",
                        jdbcUrl,
                        "--postgres.user",
                        "postgres",
                        "--checkpoint.dir",
                        dir.resolve("checkpoints-" + variant).toUri().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("POSTGRES_PASSWORD", "postgres");
        Process p = pb.start();
        Map<String, String> result = null;
        List<String> tail = new ArrayList<>();
        try (BufferedReader r =
                new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("RESULT ")) {
                    result = new LinkedHashMap<>();
                    for (String kv : line.substring(7).split(" ")) {
                        String[] parts = kv.split("=", 2);
                        result.put(parts[0], parts[1]);
                    }
                } else {
                    tail.add(line);
                    if (tail.size() > 30) {
                        tail.remove(0);
                    }
                }
            }
        } finally {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        if (result == null || p.exitValue() != 0) {
            throw new IllegalStateException(
                    "variant "
                            + variant
                            + " failed (exit "
                            + p.exitValue()
                            + "); its last output:\n"
                            + String.join("\n", tail));
        }
        Result r =
                new Result(
                        variant,
                        events,
                        Long.parseLong(result.get("read")),
                        Long.parseLong(result.get("wall_ms")),
                        Long.parseLong(result.get("cpu_ms")),
                        Long.parseLong(result.get("rss_kib")),
                        Long.parseLong(result.get("outputs")),
                        Long.parseLong(result.get("steady_records")),
                        Long.parseLong(result.get("steady_wall_ms")),
                        Long.parseLong(result.get("steady_cpu_ms")));
        if (r.read() != events) {
            throw new IllegalStateException(
                    "variant "
                            + variant
                            + " read "
                            + r.read()
                            + " of "
                            + events
                            + " records; its last output:\n"
                            + String.join("\n", tail));
        }
        return r;
    }

    /** A JVM like the tools' own, with the same classpath and the same heap for every variant. */
    private List<String> javaCommand(Path dir, String name) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        String heap = args.string("heap");
        cmd.add("-Xms" + heap);
        cmd.add("-Xmx" + heap);
        cmd.add("-Dlog4j2.configurationFile=src/tools/log4j2-tools.properties");
        cmd.add("-Dtelemetra.log.file=" + dir.resolve(name + ".log"));
        if (args.flag("jfr")) {
            cmd.add(
                    "-XX:StartFlightRecording=settings=profile,filename="
                            + dir.resolve(name + ".jfr"));
        }
        cmd.add("--add-opens=java.base/java.util=ALL-UNNAMED");
        cmd.add("--add-opens=java.base/java.lang=ALL-UNNAMED");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        return cmd;
    }

    private void printTable(List<Result> results) {
        Map<String, Result> by = new LinkedHashMap<>();
        results.forEach(r -> by.put(r.variant(), r));
        out.println();
        out.println(
                "| variant | events/s | events/s per core (CPU time) | total wall s | total CPU s |"
                        + " peak RSS MiB | rows out |");
        out.println("|---|---:|---:|---:|---:|---:|---:|");
        steady = results.stream().allMatch(Result::steady);
        if (!steady) {
            out.println("(corpus too small for a steady state: rates over the whole runs)");
        }
        for (Result r : results) {
            out.printf(
                    Locale.ROOT,
                    "| %s | %,.0f | %,.0f | %.1f | %.1f | %,d | %s |%n",
                    r.variant(),
                    r.perSecond(steady),
                    r.perCoreSecond(steady),
                    r.wallMs() / 1000.0,
                    r.cpuMs() / 1000.0,
                    r.rssKib() / 1024,
                    r.outputs() < 0 ? "-" : String.format(Locale.ROOT, "%,d", r.outputs()));
        }
        Result b = by.get("telemetra-windows");
        if (b != null) {
            out.println();
            ratio("b/a (Telemetra windows / floor)", b, by.get("floor"), 0.6);
            ratio("b/c (Telemetra windows / naive sliding windows)", b, by.get("naive"), 3);
            ratio("b/d (Telemetra windows / Flink SQL HOP)", b, by.get("flink-sql"), 1.5);
        }
        Result full = by.get("telemetra-full");
        if (full != null) {
            out.printf(
                    Locale.ROOT,
                    "full job to PostgreSQL: %,.0f events/s per core (target >= 250,000): %s%n",
                    full.perCoreSecond(steady),
                    full.perCoreSecond(steady) >= 250_000 ? "met" : "MISSED");
        }
        Result naive = by.get("naive");
        if (b != null && naive != null && b.outputs() != naive.outputs()) {
            out.printf(
                    "WARNING: sliced and naive windows wrote different numbers of windows (%d vs"
                            + " %d)%n",
                    b.outputs(), naive.outputs());
        }
    }

    private void ratio(String label, Result b, Result other, double target) {
        if (other == null) {
            return;
        }
        double wall = b.perSecond(steady) / other.perSecond(steady);
        double cpu = b.perCoreSecond(steady) / other.perCoreSecond(steady);
        out.printf(
                Locale.ROOT,
                "%s: %.2f by events/s, %.2f by events/s per core (target >= %.1f): %s%n",
                label,
                wall,
                cpu,
                target,
                wall >= target ? "met" : "MISSED");
    }

    static void schema(String jdbcUrl) {
        Migrate.migrate(
                jdbcUrl,
                "postgres",
                new TelemetraConfig.Secret("postgres"),
                new PrintStream(OutputStream.nullOutputStream()));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux: leave it out
        }
        return "unknown CPU";
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
