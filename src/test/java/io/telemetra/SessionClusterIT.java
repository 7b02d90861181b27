package io.telemetra;

import static io.telemetra.testing.FlinkSessionCluster.get;
import static io.telemetra.testing.FlinkSessionCluster.killTaskManager;
import static io.telemetra.testing.FlinkSessionCluster.sh;
import static io.telemetra.testing.FlinkSessionCluster.startTaskManager;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.testing.ExpectedWindows;
import io.telemetra.testing.FailureScenario;
import io.telemetra.testing.FlinkSessionCluster;
import io.telemetra.testing.JobRunner;
import io.telemetra.testing.PreparedLifetimes;
import io.telemetra.testing.RealInfrastructure;
import io.telemetra.testing.SketchTolerance;
import io.telemetra.testing.Tables;
import io.telemetra.testing.TestEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar on a real session cluster (scripts/flink-cluster.sh: JobManager and TaskManager
 * processes) submitted with scripts/flink: RUNNING in the REST API, the dashboard served, rows
 * written; then stop with a savepoint, resume an upgraded configuration from it, stop again and
 * resume at parallelism 1 on RocksDB, and check that no window is missing or duplicated and that a
 * spike right after each restore is detected without a new warm-up.
 */
@ExtendWith(RealInfrastructure.class)
class SessionClusterIT {
    static final long T0 = Instant.parse("2026-04-01T00:00:00Z").toEpochMilli();
    static final String SECRET = FlinkSessionCluster.POSTGRES_PASSWORD;

    @BeforeAll
    static void startCluster() throws Exception {
        FlinkSessionCluster.start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        FlinkSessionCluster.stop();
    }

    @Test
    void submitSavepointAndResumeWithoutLosingWindowsOrTheBaseline(@TempDir Path dir)
            throws Exception {
        RealInfrastructure.resetSchema();
        RealInfrastructure.createTopic("cluster.chat", 2);
        RealInfrastructure.createTopic("cluster.viewer", 1);
        assertTrue(
                get("/").contains("<html") || get("/").contains("<!--"),
                "the dashboard page is served");

        List<TestEvent> all = new ArrayList<>();
        // before the upgrade: 5 minutes of a steady 2 messages/s
        produce(all, "cluster.chat", 0, 300, 2);
        String job = submit(dir, "first", null, "3.0");
        waitFor("windows up to 4 min written", () -> windowsEndingBy(T0 + 240_000) >= 24);

        String savepoint = stopWithSavepoint(dir, job, "first");
        // after the upgrade: a burst of 20 messages/s at 310-330 s, then steady again until 8 min
        produce(all, "cluster.chat", 300, 310, 2);
        produce(all, "cluster.chat", 310, 330, 20);
        produce(all, "cluster.chat", 330, 480, 2);
        String resumed = submit(dir, "resumed", savepoint, "3.5");
        waitFor("windows up to 7 min written", () -> windowsEndingBy(T0 + 420_000) >= 42);
        waitFor(
                "the spike right after the restore as a moment",
                () -> momentsAfter(T0 + 300_000) == 1);

        // rescale 2 -> 1 from a second savepoint, on RocksDB this time (savepoints are in the
        // canonical format, which any state backend restores); again a spike right after it
        String savepoint2 = stopWithSavepoint(dir, resumed, "resumed");
        int beforeThirdRun = all.size();
        produce(all, "cluster.chat", 480, 490, 2);
        produce(all, "cluster.chat", 490, 510, 20);
        produce(all, "cluster.chat", 510, 660, 2);
        String rescaled =
                submit(
                        dir,
                        "rescaled",
                        savepoint2,
                        "3.5",
                        "-p",
                        "1",
                        "-Dstate.backend.type=rocksdb");
        assertTrue(
                get("/jobs/" + rescaled).matches("(?s).*\"parallelism\":1\\b.*")
                        && !get("/jobs/" + rescaled).contains("\"parallelism\":2"),
                "every operator runs with parallelism 1: " + get("/jobs/" + rescaled));
        assertTrue(
                get("/jobs/" + rescaled + "/checkpoints/config").contains("RocksDB"),
                get("/jobs/" + rescaled + "/checkpoints/config"));
        waitFor("windows up to 10 min written", () -> windowsEndingBy(T0 + 600_000) >= 60);
        waitFor(
                "the spike right after the rescaled restore as a moment",
                () -> momentsAfter(T0 + 480_000) == 1);

        assertEveryWindowOnce(all, T0 + 600_000, "across the savepoints");
        assertEquals(2, momentsAfter(T0 + 300_000), "one moment per burst, none on steady chat");
        // Telemetra's own metrics, as the dashboard and Prometheus show them (counted since the
        // last restore: the 1 moment and the events of the third run)
        waitFor("momentsDetected = 1", () -> metric(rescaled, "momentsDetected") == 1);
        long thirdRun = all.size() - beforeThirdRun;
        waitFor(
                "eventsValid = the " + thirdRun + " events read after the last restore",
                () -> metric(rescaled, "eventsValid") == thirdRun);
        assertSecretShownNowhere(dir, rescaled);
        io.telemetra.testing.Reliability.record(
                "stop with savepoint, upgrade, rescale 2 -> 1 (session cluster)",
                "flink stop --savepointPath; resume with a new threshold; stop again; resume at"
                        + " parallelism 1 on RocksDB",
                "every closed window vs an independent reference; a spike right after each"
                        + " restore",
                "no window missing or duplicated, both spikes detected without a new warm-up");
        io.telemetra.testing.Reliability.record(
                "secrets on show (session cluster)",
                "a distinctive PostgreSQL password in the job's environment",
                "REST pages the dashboard uses (job config, plan, exceptions, JobManager config,"
                        + " environment, logs, TaskManager logs), cluster log files, CLI output",
                "the password appears in none of them (a planted leak in the arguments is"
                        + " caught)");
        sh(List.of("scripts/flink", "cancel", rescaled), dir.resolve("cancel.txt"), 60);
    }

    /**
     * Every window of the steady stream that closed by {@code end} is in the table once, with the
     * values an uninterrupted run computes from {@code all}.
     */
    static void assertEveryWindowOnce(List<TestEvent> all, long end, String across)
            throws Exception {
        TreeMap<ExpectedWindows.Key, ExpectedWindows.Row> expected = ExpectedWindows.compute(all);
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT window_start, chat_count, unique_chatters FROM"
                                        + " chat_summary_minute WHERE window_end <= to_timestamp("
                                        + end / 1000
                                        + ") ORDER BY 1")) {
            int rows = 0;
            while (rs.next()) {
                long start = rs.getObject(1, OffsetDateTime.class).toInstant().toEpochMilli();
                ExpectedWindows.Row want = expected.get(new ExpectedWindows.Key("steady", start));
                assertEquals(
                        want.chatCount(),
                        rs.getLong(2),
                        "chat_count of window " + Instant.ofEpochMilli(start));
                Tables.assertUniqueChatters(
                        want.uniqueChatters(),
                        rs.getLong(3),
                        SketchTolerance.DEFAULT_LG_K,
                        "of window " + Instant.ofEpochMilli(start));
                rows++;
            }
            long expectedRows =
                    expected.keySet().stream().filter(k -> k.windowStart() + 60_000 <= end).count();
            assertEquals(expectedRows, rows, "no window missing or duplicated " + across);
        }
    }

    /** Steady chat of one stream into {@code topic}, {@code perSecond} messages a second. */
    static void produce(
            List<TestEvent> all, String topic, int fromSecond, int toSecond, int perSecond)
            throws Exception {
        TestEvent.MessageTemplate hello = TestEvent.MessageTemplate.ALL.get(2);
        try (KafkaProducer<byte[], byte[]> p = RealInfrastructure.producer()) {
            for (long ms = fromSecond * 1000L; ms < toSecond * 1000L; ms += 1000 / perSecond) {
                TestEvent e = TestEvent.chat("steady", T0 + ms, "u" + (ms / 1000 % 13), hello);
                all.add(e);
                p.send(new ProducerRecord<>(topic, (int) (ms / 1000 % 2), null, e.json()));
            }
        }
    }

    private static String submit(
            Path dir, String name, String savepoint, String threshold, String... flinkOptions)
            throws Exception {
        return submitTo(dir, name, "cluster", savepoint, threshold, List.of(), flinkOptions);
    }

    static String submitTo(
            Path dir,
            String name,
            String topicPrefix,
            String savepoint,
            String threshold,
            List<String> moreJobArgs,
            String... flinkOptions)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of("scripts/flink", "run", "-d"));
        cmd.addAll(List.of(flinkOptions));
        if (savepoint != null) {
            cmd.addAll(List.of("-s", savepoint));
        }
        Path jar = JobRunner.shadedJar();
        cmd.addAll(
                List.of(
                        jar.toString(),
                        "--kafka.bootstrap-servers",
                        RealInfrastructure.kafkaBootstrap(),
                        "--kafka.topic.chat",
                        topicPrefix + ".chat",
                        "--kafka.topic.viewer",
                        topicPrefix + ".viewer",
                        "--kafka.group-id",
                        topicPrefix + "-it",
                        "--kafka.starting-offsets",
                        "earliest",
                        "--postgres.url",
                        RealInfrastructure.postgresUrl(),
                        "--postgres.user",
                        RealInfrastructure.PG_USER,
                        "--checkpoint.interval",
                        "1s",
                        "--watermark.idleness",
                        "2s",
                        "--anomaly.threshold",
                        threshold));
        cmd.addAll(moreJobArgs);
        Path out = dir.resolve("run-" + name + ".txt");
        assertEquals(0, sh(cmd, out, 120), Files.readString(out));
        Matcher m = Pattern.compile("JobID ([0-9a-f]{32})").matcher(Files.readString(out));
        assertTrue(m.find(), Files.readString(out));
        String id = m.group(1);
        waitFor(
                "job " + id + " RUNNING in the REST API",
                () -> get("/jobs/" + id).contains("\"state\":\"RUNNING\""));
        return id;
    }

    static String stopWithSavepoint(Path dir, String job, String name) throws Exception {
        Path out = dir.resolve("stop-" + name + ".txt");
        assertEquals(
                0,
                sh(
                        List.of(
                                "scripts/flink",
                                "stop",
                                "--savepointPath",
                                dir.resolve("savepoints").toUri().toString(),
                                job),
                        out,
                        120),
                Files.readString(out));
        Matcher m =
                Pattern.compile("Savepoint completed\\. Path: (\\S+)")
                        .matcher(Files.readString(out));
        assertTrue(m.find(), Files.readString(out));
        return m.group(1);
    }

    /**
     * The TaskManager process killed with SIGKILL twice while the job runs, the first time (in
     * exactly-once mode) while pg_prepared_xacts is non-empty: a checkpoint's transactions are
     * prepared and wait for its completion; a new TaskManager is started each time. The tables must
     * equal those of a run without the kills, with nothing left in pg_prepared_xacts.
     */
    @Test
    void taskManagerKilledTwiceOnceBetweenPrepareAndCommit(@TempDir Path dir) throws Exception {
        List<String> reference = drive(dir, "cluster-ref", "exactly-once", chunk -> {});
        for (String delivery : List.of("exactly-once", "at-least-once")) {
            killTwice(dir, delivery, reference);
        }
    }

    private void killTwice(Path dir, String delivery, List<String> reference) throws Exception {
        boolean[] killedWhilePrepared = new boolean[1];
        List<String> got =
                drive(
                        dir,
                        "cluster-kill-" + delivery,
                        delivery,
                        chunk -> {
                            if (chunk == 10) {
                                // wait for a checkpoint's transactions to be prepared, then kill
                                long until =
                                        System.nanoTime()
                                                + (delivery.equals("exactly-once")
                                                        ? 20_000_000_000L
                                                        : 0);
                                while (System.nanoTime() < until && !killedWhilePrepared[0]) {
                                    try (Connection c = RealInfrastructure.connect()) {
                                        if (!io.telemetra.sink.PostgresCheck.preparedTransactions(c)
                                                .isEmpty()) {
                                            killTaskManager();
                                            killedWhilePrepared[0] = true;
                                        }
                                    }
                                }
                                if (!killedWhilePrepared[0]) {
                                    killTaskManager();
                                }
                                startTaskManager(dir);
                            } else if (chunk == 25) {
                                killTaskManager();
                                startTaskManager(dir);
                            }
                        });
        Tables.assertSameRows(reference, got);
        if (delivery.equals("exactly-once")) {
            // transactions stay prepared from the barrier until the checkpoint completes, so the
            // kill lands while they are: asserted, not merely recorded
            assertTrue(killedWhilePrepared[0], "no prepared transaction seen within 20 s");
        }
        io.telemetra.testing.Reliability.record(
                "TaskManager killed (SIGKILL) twice, session cluster (" + delivery + ")",
                "kill -9 of the TaskManager process mid-stream"
                        + (delivery.equals("exactly-once")
                                ? " right after pg_prepared_xacts was seen non-empty (asserted)"
                                : "")
                        + ", and again after recovery; a new TaskManager each time",
                "all three tables vs a run without kills on the same cluster; pg_prepared_xacts",
                "identical, no prepared transaction left");
    }

    static long referenceWindowCount;

    /** One run of {@link FailureScenario} on the cluster; returns its tables. */
    private List<String> drive(
            Path dir, String prefix, String delivery, FailureScenario.Disruption d)
            throws Exception {
        FailureScenario.Topics topics = FailureScenario.Topics.named(prefix);
        RealInfrastructure.resetSchema();
        RealInfrastructure.createTopic(topics.chat(), 2);
        RealInfrastructure.createTopic(topics.viewer(), 1);
        String job =
                submitTo(
                        dir,
                        prefix,
                        prefix,
                        null,
                        "3.0",
                        // idleness at its default: longer than the TaskManager's absence
                        List.of("--sink.delivery", delivery, "--watermark.idleness", "30s"));
        // how long transactions stay prepared, measured on the failure-free run
        PreparedLifetimes lifetimes = prefix.endsWith("-ref") ? PreparedLifetimes.start() : null;
        try (KafkaProducer<byte[], byte[]> p = RealInfrastructure.producer()) {
            for (int chunk = 0; chunk < FailureScenario.CHUNKS; chunk++) {
                FailureScenario.produce(p, topics, chunk, chunk + 1);
                d.afterChunk(chunk);
                Thread.sleep(150);
            }
            FailureScenario.produceClosing(p, topics);
        }
        if (prefix.endsWith("-ref")) {
            FailureScenario.waitFor(
                    "the reference windows",
                    Duration.ofMinutes(3),
                    () -> {
                        try (Connection c = RealInfrastructure.connect()) {
                            long n = FailureScenario.windowsWritten(c);
                            Thread.sleep(5_000);
                            return n > 0 && n == FailureScenario.windowsWritten(c);
                        }
                    });
            try (Connection c = RealInfrastructure.connect()) {
                referenceWindowCount = FailureScenario.windowsWritten(c);
            }
            lifetimes.close();
            io.telemetra.testing.Reliability.record(
                    "checkpoint and commit timing, session cluster (" + delivery + ")",
                    "none: the failure-free run, parallelism 2, --checkpoint.interval 1s",
                    "Flink's checkpoint statistics (REST); pg_prepared_xacts polled from outside",
                    "checkpoints end to end "
                            + checkpointDurations(job)
                            + "; "
                            + lifetimes.summary());
        } else {
            FailureScenario.waitFor(
                    "every window up to the cutoff",
                    Duration.ofMinutes(5),
                    () -> {
                        try (Connection c = RealInfrastructure.connect()) {
                            return FailureScenario.windowsWritten(c) >= referenceWindowCount;
                        }
                    });
        }
        stopWithSavepoint(dir, job, prefix);
        try (Connection c = RealInfrastructure.connect()) {
            assertEquals(
                    List.of(),
                    io.telemetra.sink.PostgresCheck.preparedTransactions(c),
                    "no XA transaction left in doubt");
            return FailureScenario.dump(c, topics);
        }
    }

    /**
     * The PostgreSQL password reached the job (rows were written) but is in none of: what the REST
     * API and dashboard show for the job and the cluster, the cluster's logs, the CLI's output.
     */
    private static void assertSecretShownNowhere(Path dir, String job) throws Exception {
        String jobConfig = get("/jobs/" + job + "/config");
        assertTrue(
                jobConfig.contains("postgres.user"),
                "the job's settings are on show, so this looks at the right page: " + jobConfig);
        List<String> pages =
                new ArrayList<>(
                        List.of(
                                "/jobs/" + job + "/config",
                                "/jobs/" + job,
                                "/jobs/" + job + "/exceptions",
                                "/jobs/" + job + "/checkpoints/config",
                                "/jobmanager/config",
                                "/jobmanager/environment",
                                "/jobmanager/log",
                                "/jobmanager/stdout",
                                "/taskmanagers"));
        Matcher tm = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(get("/taskmanagers"));
        while (tm.find()) {
            pages.add("/taskmanagers/" + tm.group(1));
            pages.add("/taskmanagers/" + tm.group(1) + "/log");
            pages.add("/taskmanagers/" + tm.group(1) + "/stdout");
        }
        for (String page : pages) {
            assertFalse(get(page).contains(SECRET), "the password is shown at " + page);
        }
        List<Path> files = new ArrayList<>();
        try (var logs = Files.list(Path.of("work/flink/log"))) {
            files.addAll(logs.toList());
        }
        try (var outputs = Files.list(dir)) {
            files.addAll(outputs.filter(Files::isRegularFile).toList());
        }
        assertTrue(files.size() >= 4, "logs and CLI outputs found: " + files);
        for (Path f : files) {
            assertFalse(
                    new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1)
                            .contains(SECRET),
                    "the password is in " + f);
        }
    }

    /** Flink's end-to-end checkpoint duration statistics of a job, from its REST API. */
    private static String checkpointDurations(String job) {
        String json = get("/jobs/" + job + "/checkpoints");
        Matcher summary = Pattern.compile("\"end_to_end_duration\":\\{([^}]*)\\}").matcher(json);
        assertTrue(summary.find(), json);
        Map<String, String> stats = new java.util.LinkedHashMap<>();
        Matcher field = Pattern.compile("\"(\\w+)\":([0-9.]+)").matcher(summary.group(1));
        while (field.find()) {
            stats.put(
                    field.group(1), Long.toString(Math.round(Double.parseDouble(field.group(2)))));
        }
        Matcher count = Pattern.compile("\"completed\":([0-9]+)").matcher(json);
        assertTrue(count.find(), json);
        return count.group(1)
                + " completed, p50 "
                + stats.get("p50")
                + " ms, p90 "
                + stats.get("p90")
                + " ms, p99 "
                + stats.get("p99")
                + " ms, max "
                + stats.get("max")
                + " ms";
    }

    /** A Flink metric of the job, summed over its vertices and subtasks, via the REST API. */
    private static long metric(String job, String name) {
        // the job's JSON names each vertex twice (vertices and plan): count each once
        java.util.Set<String> vertices = new java.util.TreeSet<>();
        Matcher vertex =
                Pattern.compile("\\{\"id\":\"([0-9a-f]{32})\"").matcher(get("/jobs/" + job));
        while (vertex.find()) {
            vertices.add(vertex.group(1));
        }
        long sum = 0;
        for (String v : vertices) {
            String base = "/jobs/" + job + "/vertices/" + v + "/metrics";
            Matcher id = Pattern.compile("\"id\":\"([^\"]*\\." + name + ")\"").matcher(get(base));
            while (id.find()) {
                String query =
                        java.net.URLEncoder.encode(
                                id.group(1), java.nio.charset.StandardCharsets.UTF_8);
                Matcher value =
                        Pattern.compile("\"value\":\"([0-9]+)\"")
                                .matcher(get(base + "?get=" + query));
                if (value.find()) {
                    sum += Long.parseLong(value.group(1));
                }
            }
        }
        return sum;
    }

    static long windowsEndingBy(long end) throws Exception {
        return count(
                "SELECT count(*) FROM chat_summary_minute WHERE window_end <= to_timestamp("
                        + end / 1000
                        + ")");
    }

    private static long momentsAfter(long ts) throws Exception {
        return count(
                "SELECT count(*) FROM moments WHERE \"timestamp\" >= to_timestamp("
                        + ts / 1000
                        + ")");
    }

    static long count(String sql) throws Exception {
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void waitFor(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (Boolean.TRUE.equals(condition.call())) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("timed out waiting for " + what);
    }
}
