package io.telemetra.tools.bench;

import io.telemetra.config.CommandOption;
import io.telemetra.testing.FlinkSessionCluster;
import io.telemetra.tools.Args;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench/scale}: Telemetra at 100,000 streams. A power-law corpus (the generator's Zipf
 * popularity: the busiest stream at thousands of messages per second, most streams at one message a
 * minute or less, every stream reporting its viewers every 10 s) runs through the full job to
 * PostgreSQL on the heap and on RocksDB with incremental checkpoints: throughput, rows written per
 * second against the 10,000 a second that 100,000 live streams produce (one per stream per slide),
 * checkpoint size and duration, and state per stream. Then the job runs on a real session cluster
 * on RocksDB, its TaskManager is killed part-way through the corpus, a new one is started, and the
 * time until the job runs again, is back where it was, and reaches the head of the topics is
 * measured.
 */
public final class ScaleBench {
    static final List<CommandOption> OPTIONS =
            List.of(
                    Args.number("streams", "100000", 1, "streams, with power-law popularity"),
                    Args.number(
                            "rate",
                            "30000",
                            1,
                            "records per second of event time, chat and viewer together (viewer"
                                    + " reports alone are streams / 10)"),
                    Args.number("seconds", "300", 10, "seconds of event time in the corpus"),
                    Args.number("seed", "7", 0, "corpus seed"),
                    Args.number("partitions", "2", 1, "partitions per topic"),
                    Args.text("heap", "3g", "-Xmx of the MiniCluster runs' JVMs"),
                    Args.text(
                            "backends",
                            "heap,rocksdb",
                            "comma-separated: heap, rocksdb (incremental checkpoints)"),
                    Args.flag("no-recovery", "skip the TaskManager kill on a session cluster"),
                    Args.flag("jfr", "record a JFR profile of each backend's run to DIR"),
                    Args.text("dir", "target/bench-scale", "working folder, deleted first"));

    public static final String USAGE = Args.usage("Usage: bench/scale [options]", OPTIONS);

    private final Args args;
    private final PrintStream out;

    public ScaleBench(String[] argv, PrintStream out) {
        this.args = new Args(argv, OPTIONS);
        this.out = out;
    }

    public void run() throws Exception {
        int streams = (int) args.longValue("streams");
        long rate = args.longValue("rate");
        long seconds = args.longValue("seconds");
        long events = rate * seconds;
        Path dir = Path.of(args.string("dir")).toAbsolutePath();
        Bench.deleteRecursively(dir);
        Files.createDirectories(dir);
        out.printf(
                Locale.ROOT,
                "Telemetra bench/scale at commit %s, %s%nMachine: %d cores, %s, Java %s%n",
                Bench.commit(),
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                Runtime.getRuntime().availableProcessors(),
                Bench.cpuModel(),
                System.getProperty("java.version"));
        List<String> variants = new ArrayList<>();
        for (String backend : args.string("backends").split(",")) {
            switch (backend) {
                case "heap" -> variants.add("telemetra-full");
                case "rocksdb" -> variants.add("telemetra-full-rocksdb");
                default ->
                        throw new IllegalArgumentException(
                                "unknown backend '" + backend + "'; known: heap, rocksdb");
            }
        }
        List<String> benchArgs =
                new ArrayList<>(List.of("--heap", args.string("heap"), "--dir", dir.toString()));
        if (args.flag("jfr")) {
            benchArgs.add("--jfr");
        }
        Bench bench = new Bench(benchArgs.toArray(String[]::new), out);
        try (BenchServices services = BenchServices.start(dir)) {
            services.load(
                    "scale",
                    (int) args.longValue("partitions"),
                    streams,
                    rate,
                    events,
                    args.longValue("seed"),
                    out);
            List<String> options =
                    List.of(
                            "--mode", "replay",
                            "--kafka.topic.chat", "scale.chat",
                            "--kafka.topic.viewer", "scale.viewer",
                            // a replay of a large backlog: docs/input-and-output.md
                            "--watermark.max-drift", "30s");
            out.println();
            out.println(
                    "| backend | events/s | events/s per core | rows written | rows/s written |"
                        + " checkpoints | largest state | state per stream | written per checkpoint"
                        + " (mean) | checkpoint duration mean / max | PostgreSQL CPU s | peak RSS"
                        + " MiB |");
            out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            for (String variant : variants) {
                Bench.Result r =
                        bench.runVariant(
                                variant,
                                1,
                                dir,
                                services.jdbcUrl(),
                                services.kafka().bootstrap(),
                                events,
                                options,
                                services.pg());
                long rows = count(services.jdbcUrl(), "SELECT count(*) FROM chat_summary_minute");
                long stateMax = Long.parseLong(r.raw().getOrDefault("cp_state_max", "-1"));
                if (r.raw().containsKey("cp_error")) {
                    out.println("(no checkpoint statistics: " + r.raw().get("cp_error") + ")");
                }
                out.printf(
                        Locale.ROOT,
                        "| %s | %,.0f | %,.0f | %,d | %,.0f | %s | %,.1f MiB | %,.0f B | %,.1f MiB"
                                + " | %.1f s / %.1f s | %.1f | %,d |%n",
                        variant.endsWith("rocksdb") ? "RocksDB, incremental" : "heap (HashMap)",
                        r.perSecond(r.steady()),
                        r.perCoreSecond(r.steady()),
                        rows,
                        rows / (r.wallMs() / 1000.0),
                        r.raw().getOrDefault("cp_completed", "?"),
                        stateMax / 1048576.0,
                        stateMax / (double) streams,
                        Long.parseLong(r.raw().getOrDefault("cp_written_avg", "-1")) / 1048576.0,
                        Long.parseLong(r.raw().getOrDefault("cp_duration_avg_ms", "-1")) / 1000.0,
                        Long.parseLong(r.raw().getOrDefault("cp_duration_max_ms", "-1")) / 1000.0,
                        r.pgCpuMs() / 1000.0,
                        r.rssKib() / 1024);
            }
            out.printf(
                    Locale.ROOT,
                    "(live, %,d streams write %,d rows/s: one per stream per 10 s slide; rows/s"
                            + " written is over the whole replay, start-up included)%n",
                    streams,
                    streams / 10);
            if (!args.flag("no-recovery")) {
                recovery(dir, services, seconds);
            }
        }
    }

    /**
     * The job on a session cluster (scripts/flink-cluster.sh) on RocksDB with incremental
     * checkpoints, exactly-once, reading the corpus in stream mode; its TaskManager is killed once
     * 60 % of the corpus' windows are committed, and a new TaskManager started.
     */
    private void recovery(Path dir, BenchServices services, long seconds) throws Exception {
        String jdbcUrl = services.jdbcUrl();
        Bench.truncate(jdbcUrl);
        long start = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
        // in stream mode the newest window that fires ends a watermark delay before the corpus'
        // last event; count the head as reached one slide before that
        long head = start + seconds * 1000 - 10_000 - 10_000;
        long killAt = start + seconds * 1000 * 6 / 10;
        out.printf(
                "%nRecovery on a session cluster (RocksDB, incremental checkpoints every 10 s,"
                        + " exactly-once): TaskManager killed once windows up to %s are"
                        + " committed ...%n",
                Instant.ofEpochMilli(killAt));
        FlinkSessionCluster.start();
        try {
            List<String> cmd =
                    new ArrayList<>(
                            List.of(
                                    "scripts/flink",
                                    "run",
                                    "-d",
                                    "-Dstate.backend.type=rocksdb",
                                    "-Dexecution.checkpointing.incremental=true",
                                    "target/telemetra.jar",
                                    "--kafka.bootstrap-servers",
                                    services.kafka().bootstrap(),
                                    "--kafka.topic.chat",
                                    "scale.chat",
                                    "--kafka.topic.viewer",
                                    "scale.viewer",
                                    "--watermark.max-drift",
                                    "30s",
                                    "--kafka.group-id",
                                    "scale-recovery",
                                    "--kafka.starting-offsets",
                                    "earliest",
                                    "--postgres.url",
                                    jdbcUrl,
                                    "--postgres.user",
                                    "postgres"));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("POSTGRES_PASSWORD", "postgres");
            Process submit = pb.start();
            String submitted = new String(submit.getInputStream().readAllBytes());
            if (submit.waitFor() != 0) {
                throw new IllegalStateException("flink run failed:\n" + submitted);
            }
            Matcher m = Pattern.compile("JobID ([0-9a-f]{32})").matcher(submitted);
            if (!m.find()) {
                throw new IllegalStateException("no job id in:\n" + submitted);
            }
            String job = m.group(1);
            long submittedAt = System.nanoTime();
            waitUntil(
                    "windows up to the kill point",
                    Duration.ofMinutes(20),
                    () -> committed(jdbcUrl) >= killAt);
            long highWater = committed(jdbcUrl);
            long completedAtKill = completedCheckpoints(job);
            out.printf(
                    Locale.ROOT,
                    "  windows up to %s committed %.0f s after submission (%d checkpoints); killing"
                            + " the TaskManager%n",
                    Instant.ofEpochMilli(highWater),
                    (System.nanoTime() - submittedAt) / 1e9,
                    completedAtKill);
            long restartsAtKill = restarts(job);
            long killed = System.nanoTime();
            FlinkSessionCluster.killTaskManager();
            FlinkSessionCluster.startTaskManager(dir);
            // the JobManager notices the lost TaskManager (heartbeats) and restarts the job
            waitUntil(
                    "the job to restart",
                    Duration.ofMinutes(5),
                    () -> restarts(job) > restartsAtKill);
            double detected = (System.nanoTime() - killed) / 1e9;
            waitUntil(
                    "the job running again",
                    Duration.ofMinutes(5),
                    () -> {
                        String j = FlinkSessionCluster.get("/jobs/" + job);
                        return j.contains("\"state\":\"RUNNING\"")
                                && !j.matches(
                                        "(?s).*\"status\":\"(INITIALIZING|CREATED|SCHEDULED|DEPLOYING)\".*");
                    });
            double running = (System.nanoTime() - killed) / 1e9;
            // restored from the latest checkpoint and durable again: a checkpoint completed after
            // the restore, and (unless the job had already reached the head) rows committed beyond
            // those committed before the kill
            waitUntil(
                    "a checkpoint after the restore",
                    Duration.ofMinutes(5),
                    () -> completedCheckpoints(job) > completedAtKill);
            waitUntil(
                    "windows past the pre-kill high-water mark",
                    Duration.ofMinutes(5),
                    () -> highWater >= head || committed(jdbcUrl) > highWater);
            double recovered = (System.nanoTime() - killed) / 1e9;
            waitUntil(
                    "the head of the topics",
                    Duration.ofMinutes(20),
                    () -> committed(jdbcUrl) >= head);
            double atHead = (System.nanoTime() - killed) / 1e9;
            out.printf(
                    Locale.ROOT,
                    "  after the kill: restarting after %.1f s, running again in %.1f s; recovered"
                        + " (a checkpoint after the restore%s) in %.1f s (target < 60 s: %s); head"
                        + " of the topics (windows up to %s) in %.1f s%n",
                    detected,
                    running,
                    highWater >= head
                            ? "; the job had reached the head before the kill"
                            : ", rows committed past the pre-kill high-water mark",
                    recovered,
                    recovered < 60 ? "met" : "MISSED",
                    Instant.ofEpochMilli(head),
                    atHead);
            Matcher restored =
                    Pattern.compile("\"restored\":\\{[^}]*?\"external_path\":\"([^\"]+)\"")
                            .matcher(FlinkSessionCluster.get("/jobs/" + job + "/checkpoints"));
            if (restored.find()) {
                out.println("  restored from " + restored.group(1));
            }
            FlinkSessionCluster.sh(List.of("scripts/flink", "cancel", job), null, 60);
        } finally {
            FlinkSessionCluster.stop();
        }
    }

    private static long restarts(String job) {
        Matcher m =
                Pattern.compile("\"value\":\"(\\d+)\"")
                        .matcher(
                                FlinkSessionCluster.get(
                                        "/jobs/" + job + "/metrics?get=numRestarts"));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static long completedCheckpoints(String job) {
        Matcher m =
                Pattern.compile("\"completed\":(\\d+)")
                        .matcher(FlinkSessionCluster.get("/jobs/" + job + "/checkpoints"));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** The newest window end committed to chat_summary_minute, epoch millis (0 when none). */
    private static long committed(String jdbcUrl) throws Exception {
        return count(
                jdbcUrl,
                "SELECT coalesce(extract(epoch FROM max(window_end)) * 1000, 0)::bigint FROM"
                        + " chat_summary_minute");
    }

    private static long count(String jdbcUrl, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @FunctionalInterface
    interface Check {
        boolean ok() throws Exception;
    }

    private static void waitUntil(String what, Duration timeout, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (check.ok()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
    }
}
