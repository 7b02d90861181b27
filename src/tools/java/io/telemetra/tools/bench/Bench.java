package io.telemetra.tools.bench;

import io.telemetra.config.CommandOption;
import io.telemetra.config.TelemetraConfig;
import io.telemetra.schema.Migrate;
import io.telemetra.tools.Args;
import io.telemetra.tools.demo.LocalKafka;
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
    static final List<String> ALL_VARIANTS =
            List.of(
                    "floor",
                    "telemetra-windows",
                    "telemetra-windows-rocksdb",
                    "telemetra-windows-no-text",
                    "telemetra-windows-local",
                    "telemetra-full",
                    "naive",
                    "flink-sql",
                    "flink-sql-tuned");

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
                            String.join(",", ALL_VARIANTS),
                            "comma-separated; each round runs them in this order, rotated by one"
                                    + " per round"),
                    Args.number(
                            "rounds",
                            "3",
                            1,
                            "times each variant runs, interleaved; the tables show the median and"
                                    + " the range"),
                    Args.duration(
                            "freshness",
                            "300s",
                            "span of window ends measured per sink mode (30 window ends at the 10 s"
                                    + " slide), each followed until visible; 0s skips"),
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
            int round,
            long pgCpuMs,
            long records,
            long read,
            long wallMs,
            long cpuMs,
            long rssKib,
            long outputs,
            long steadyRecords,
            long steadyWallMs,
            long steadyCpuMs,
            Map<String, String> raw) {
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
            if (!ALL_VARIANTS.contains(v)) {
                throw new IllegalArgumentException(
                        "unknown variant '" + v + "'; known: " + String.join(",", ALL_VARIANTS));
            }
        }
        Path dir = Path.of(args.string("dir")).toAbsolutePath();
        deleteRecursively(dir);
        Files.createDirectories(dir);

        out.printf(
                Locale.ROOT,
                "Telemetra bench/run at commit %s, %s%nMachine: %d cores, %s, Java %s%n",
                commit(),
                java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC)
                        .truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                Runtime.getRuntime().availableProcessors(),
                cpuModel(),
                System.getProperty("java.version"));
        StateSize.report(out);
        try (BenchServices services = BenchServices.start(dir)) {
            EmbeddedPostgres pg = services.pg();
            LocalKafka kafka = services.kafka();
            String jdbcUrl = services.jdbcUrl();
            services.load(
                    "bench",
                    partitions,
                    streams,
                    args.longValue("rate"),
                    events,
                    args.longValue("seed"),
                    out);

            List<Result> results = new ArrayList<>();
            int rounds = (int) args.longValue("rounds");
            for (int round = 1; round <= rounds; round++) {
                // interleaved, and rotated so that no variant always runs first or last
                List<String> order = new ArrayList<>(variants);
                java.util.Collections.rotate(order, -(round - 1));
                for (String variant : order) {
                    out.printf("Round %d of %d: %s ...%n", round, rounds, variant);
                    Result r =
                            runVariant(
                                    variant,
                                    round,
                                    dir,
                                    jdbcUrl,
                                    kafka.bootstrap(),
                                    events,
                                    List.of(
                                            "--mode", "replay",
                                            "--kafka.topic.chat", "bench.chat",
                                            "--kafka.topic.viewer", "bench.viewer"),
                                    pg);
                    out.printf(
                            Locale.ROOT,
                            "  %,.0f events/s, %,.0f events/s per core, %.1f s, peak RSS %,d"
                                    + " MiB%s%n",
                            r.perSecond(r.steady()),
                            r.perCoreSecond(r.steady()),
                            r.wallMs() / 1000.0,
                            r.rssKib() / 1024,
                            r.pgCpuMs() > 0
                                    ? String.format(
                                            Locale.ROOT,
                                            ", PostgreSQL CPU %.1f s",
                                            r.pgCpuMs() / 1000.0)
                                    : "");
                    results.add(r);
                }
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

    Result runVariant(
            String variant,
            int round,
            Path dir,
            String jdbcUrl,
            String bootstrap,
            long events,
            List<String> options,
            EmbeddedPostgres pg)
            throws Exception {
        if (variant.startsWith("telemetra-full")) {
            truncate(jdbcUrl); // each round writes the same rows again: start from empty tables
        }
        long pgCpu0 = PostgresCpu.millis(pg);
        List<String> cmd = javaCommand(dir, variant + "-" + round);
        cmd.add("-Dbench.records=" + events);
        if (Boolean.getBoolean("bench.keys")) {
            // TELEMETRA_JAVA_OPTS=-Dbench.keys=true: each variant lists the windows it wrote
            cmd.add("-Dbench.keys=" + dir.resolve(variant + "-" + round + ".keys"));
        }
        cmd.add(BenchJob.class.getName());
        cmd.add(variant);
        cmd.addAll(options);
        cmd.addAll(
                List.of(
                        "--kafka.bootstrap-servers",
                        bootstrap,
                        "--kafka.group-id",
                        "bench-" + variant + "-" + round,
                        "--postgres.url",
                        jdbcUrl,
                        "--postgres.user",
                        "postgres",
                        "--checkpoint.dir",
                        dir.resolve("checkpoints-" + variant + "-" + round).toUri().toString()));
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
        long pgCpu = PostgresCpu.millis(pg) - pgCpu0;
        Result r =
                new Result(
                        variant,
                        round,
                        variant.startsWith("telemetra-full") ? pgCpu : -1,
                        events,
                        Long.parseLong(result.get("read")),
                        Long.parseLong(result.get("wall_ms")),
                        Long.parseLong(result.get("cpu_ms")),
                        Long.parseLong(result.get("rss_kib")),
                        Long.parseLong(result.get("outputs")),
                        Long.parseLong(result.get("steady_records")),
                        Long.parseLong(result.get("steady_wall_ms")),
                        Long.parseLong(result.get("steady_cpu_ms")),
                        result);
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
    List<String> javaCommand(Path dir, String name) {
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

    /** The median and range of one variant's runs. */
    record Summary(
            String variant,
            List<Result> runs,
            double perSecond,
            double perSecondMin,
            double perSecondMax,
            double perCore,
            double perCoreMin,
            double perCoreMax) {
        static Summary of(String variant, List<Result> runs, boolean steady) {
            double[] s = runs.stream().mapToDouble(r -> r.perSecond(steady)).sorted().toArray();
            double[] c = runs.stream().mapToDouble(r -> r.perCoreSecond(steady)).sorted().toArray();
            return new Summary(
                    variant,
                    runs,
                    Bench.median(s),
                    s[0],
                    s[s.length - 1],
                    Bench.median(c),
                    c[0],
                    c[c.length - 1]);
        }

        long outputs() {
            return runs.get(0).outputs();
        }

        boolean sameOutputsEveryRun() {
            return runs.stream().allMatch(r -> r.outputs() == outputs());
        }

        double median(java.util.function.ToDoubleFunction<Result> f) {
            return Bench.median(runs.stream().mapToDouble(f).sorted().toArray());
        }
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private void printTable(List<Result> results) {
        steady = results.stream().allMatch(Result::steady);
        Map<String, Summary> by = new LinkedHashMap<>();
        for (String v : ALL_VARIANTS) {
            List<Result> runs = results.stream().filter(r -> r.variant().equals(v)).toList();
            if (!runs.isEmpty()) {
                by.put(v, Summary.of(v, runs, steady));
            }
        }
        int rounds = results.stream().mapToInt(Result::round).max().orElse(0);
        out.println();
        out.printf(
                "Throughput at commit %s: median of %d interleaved run(s) per variant, range in"
                        + " brackets%n",
                commit(), rounds);
        out.println(
                "| variant | events/s | events/s per core (CPU time) | total wall s | peak RSS MiB"
                        + " | rows out |");
        out.println("|---|---:|---:|---:|---:|---:|");
        if (!steady) {
            out.println("(corpus too small for a steady state: rates over the whole runs)");
        }
        for (Summary m : by.values()) {
            out.printf(
                    Locale.ROOT,
                    "| %s | %,.0f [%,.0f-%,.0f] | %,.0f [%,.0f-%,.0f] | %.1f | %,.0f | %s |%n",
                    m.variant(),
                    m.perSecond(),
                    m.perSecondMin(),
                    m.perSecondMax(),
                    m.perCore(),
                    m.perCoreMin(),
                    m.perCoreMax(),
                    m.median(r -> r.wallMs() / 1000.0),
                    m.median(r -> r.rssKib() / 1024.0),
                    m.outputs() < 0
                            ? "-"
                            : String.format(Locale.ROOT, "%,d", m.outputs())
                                    + (m.sameOutputsEveryRun() ? "" : " (DIFFERS between runs)"));
        }
        Summary floor = by.get("floor"),
                b = by.get("telemetra-windows"),
                full = by.get("telemetra-full");
        out.println();
        out.println("Targets (ratios of the medians):");
        if (full != null && floor != null) {
            ratio("full job to PostgreSQL / floor", full, floor, 0.8);
            double pgCpu = full.median(r -> r.pgCpuMs() / 1000.0);
            double jobCpu = full.median(r -> r.cpuMs() / 1000.0);
            out.printf(
                    Locale.ROOT,
                    "  PostgreSQL's CPU during the full job: %.1f s beside the job's %.1f s"
                            + " (medians, whole runs): %,.0f events per CPU second of the job"
                            + " alone, %,.0f counting PostgreSQL too%n",
                    pgCpu,
                    jobCpu,
                    full.runs().get(0).records() / jobCpu,
                    full.runs().get(0).records() / (pgCpu + jobCpu));
        }
        Summary rocks = by.get("telemetra-windows-rocksdb");
        if (rocks != null && b != null) {
            ratio("sliced windows on RocksDB / on the heap", rocks, b, 0.5);
        }
        Summary tuned = by.get("flink-sql-tuned");
        if (b != null && tuned != null) {
            ratio("Telemetra windows / Flink SQL with the tuning guide's options", b, tuned, 1.5);
        }
        out.println("For comparison:");
        if (b != null) {
            ratio("Telemetra windows / floor", b, floor, 0);
            ratio("Telemetra windows / Flink's sliding windows (naive)", b, by.get("naive"), 0);
            ratio("Telemetra windows / Flink SQL with defaults", b, by.get("flink-sql"), 0);
            ratio(
                    "without the message text across the key-by / with it",
                    by.get("telemetra-windows-no-text"),
                    b,
                    0);
            ratio(
                    "partial aggregation before the key-by (not in the job) / without",
                    by.get("telemetra-windows-local"),
                    b,
                    0);
            // every window variant must write the same windows; Flink SQL writes one row per
            // window too, from the records its JSON format accepts
            for (String v :
                    List.of(
                            "telemetra-windows-rocksdb",
                            "telemetra-windows-no-text",
                            "telemetra-windows-local",
                            "naive",
                            "flink-sql",
                            "flink-sql-tuned")) {
                Summary other = by.get(v);
                if (other != null) {
                    out.printf(
                            Locale.ROOT,
                            "  rows: %s %,d, telemetra-windows %,d: %s%n",
                            v,
                            other.outputs(),
                            b.outputs(),
                            other.outputs() == b.outputs() ? "same" : "DIFFERENT");
                }
            }
        }
    }

    private void ratio(String label, Summary a, Summary base, double target) {
        if (a == null || base == null) {
            return;
        }
        double wall = a.perSecond() / base.perSecond();
        double cpu = a.perCore() / base.perCore();
        out.printf(
                Locale.ROOT,
                "  %s: %.2f by events/s, %.2f by events/s per core%s%n",
                label,
                wall,
                cpu,
                target <= 0
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                " (target >= %.1f per core): %s",
                                target,
                                cpu >= target ? "met" : "MISSED"));
    }

    /** The commit this run measures, marked dirty when tracked files differ from it. */
    static String commit() {
        try {
            String head = git("rev-parse", "--short=12", "HEAD");
            String changes = git("status", "--porcelain", "--untracked-files=no");
            return head + (changes.isBlank() ? "" : " (with uncommitted changes)");
        } catch (Exception e) {
            return "unknown (not a git checkout)";
        }
    }

    private static String git(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            throw new IOException(text);
        }
        return text;
    }

    static void truncate(String jdbcUrl) throws java.sql.SQLException {
        try (var c = java.sql.DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
                var st = c.createStatement()) {
            st.execute("TRUNCATE chat_summary_minute, moments, rejected_events");
        }
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
