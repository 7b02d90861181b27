package io.telemetra.tools.bench;

import io.telemetra.TelemetraJob;
import io.telemetra.tools.demo.LocalKafka;
import io.telemetra.tools.generator.Generate;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Freshness: the generator produces live (event time = wall time) at a fixed rate while the real
 * job runs in stream mode; a poller reads {@code chat_summary_minute} every 50 ms and records, per
 * row, how long after its window's end it became visible. That includes the watermark delay, the
 * slide-aligned firing, the sink's batching and, in exactly-once mode, the wait for the checkpoint
 * that commits it.
 *
 * <p>Every window ending in the measured span is followed until its rows are visible: polling (and
 * the generator, which moves the watermark) goes on for a timeout after the span's last window end.
 * A row seen only after its own window end plus the timeout is counted and reported as late, never
 * left out. The target is the watermark delay plus the slide plus 2 s (at-least-once), plus the
 * checkpoint interval (exactly-once).
 */
final class Freshness {
    static final long POLL_MILLIS = 50;

    /** How long each window is followed after its end before its missing rows count as late. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final String jdbcUrl;
    private final LocalKafka kafka;
    private final PrintStream out;

    Freshness(Path dir, String jdbcUrl, LocalKafka kafka, PrintStream out) {
        this.dir = dir;
        this.jdbcUrl = jdbcUrl;
        this.kafka = kafka;
        this.out = out;
    }

    void measure(String delivery, Duration duration, long rate, int streams, List<String> java)
            throws Exception {
        String chat = "fresh-" + delivery + ".chat";
        String viewer = "fresh-" + delivery + ".viewer";
        kafka.createTopic(chat, 2);
        kafka.createTopic(viewer, 2);
        out.printf(
                Locale.ROOT,
                "Freshness, %s: %d records/s live over %d streams, windows ending in %d s"
                        + " (after a 30 s warm-up) followed until visible ...%n",
                delivery,
                rate,
                streams,
                duration.toSeconds());

        List<String> cmd = new ArrayList<>(java);
        cmd.add(TelemetraJob.class.getName());
        cmd.addAll(
                List.of(
                        "--kafka.bootstrap-servers",
                        kafka.bootstrap(),
                        "--kafka.topic.chat",
                        chat,
                        "--kafka.topic.viewer",
                        viewer,
                        "--kafka.group-id",
                        "fresh-" + delivery,
                        "--sink.delivery",
                        delivery,
                        "--postgres.url",
                        jdbcUrl,
                        "--postgres.user",
                        "postgres",
                        "--checkpoint.dir",
                        dir.resolve("checkpoints-fresh-" + delivery).toUri().toString()));
        ProcessBuilder pb =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("freshness-" + delivery + ".out").toFile());
        pb.environment().put("POSTGRES_PASSWORD", "postgres");
        Process job = pb.start();
        Generate generator =
                new Generate(
                        new String[] {
                            "--bootstrap-servers",
                            kafka.bootstrap(),
                            "--chat-topic",
                            chat,
                            "--viewer-topic",
                            viewer,
                            "--rate",
                            Long.toString(rate),
                            "--streams",
                            Integer.toString(streams),
                            "--progress-every",
                            "0s"
                        },
                        new PrintStream(PrintStream.nullOutputStream()));
        Thread producer = new Thread(generator, "generator");
        producer.setDaemon(true);
        producer.start();

        // windows that end in the warm-up are partial and may wait for the job's start
        long from = System.currentTimeMillis() + 30_000;
        long end = from + duration.toMillis();
        long timeout = TIMEOUT.toMillis();
        java.util.Map<String, Long> firstSeen = new java.util.HashMap<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
                PreparedStatement q =
                        c.prepareStatement(
                                "SELECT stream_id, window_end FROM chat_summary_minute"
                                        + " WHERE window_end > ? AND window_end <= ?")) {
            q.setTimestamp(1, new Timestamp(from));
            q.setTimestamp(2, new Timestamp(end));
            while (System.currentTimeMillis() < end + timeout) {
                if (!job.isAlive()) {
                    throw new IllegalStateException(
                            "the job exited with "
                                    + job.exitValue()
                                    + "; see "
                                    + dir.resolve("freshness-" + delivery + ".out"));
                }
                try (ResultSet rs = q.executeQuery()) {
                    long now = System.currentTimeMillis();
                    while (rs.next()) {
                        firstSeen.putIfAbsent(
                                rs.getString(1) + "/" + rs.getTimestamp(2).getTime(), now);
                    }
                }
                Thread.sleep(POLL_MILLIS);
            }
        } finally {
            generator.stop();
            job.destroy();
            if (!job.waitFor(30, TimeUnit.SECONDS)) {
                job.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        List<Long> lags = new ArrayList<>();
        java.util.TreeMap<Long, Long> slowestByWindowEnd = new java.util.TreeMap<>();
        long late = 0;
        for (var e : firstSeen.entrySet()) {
            long windowEnd = Long.parseLong(e.getKey().substring(e.getKey().lastIndexOf('/') + 1));
            long lag = e.getValue() - windowEnd;
            lags.add(lag);
            slowestByWindowEnd.merge(windowEnd, lag, Math::max);
            if (lag > timeout) {
                late++;
            }
        }
        if (lags.isEmpty()) {
            throw new IllegalStateException(
                    "no window became visible while measuring freshness; see "
                            + dir.resolve("freshness-" + delivery + ".out"));
        }
        Collections.sort(lags);
        double p99 = percentile(lags, 0.99) / 1000.0;
        double target = targetSeconds(delivery);
        out.printf(
                Locale.ROOT,
                "  %,d rows of %d window ends: p50 %.1f s, p99 %.1f s, max %.1f s after the"
                        + " window's end (polled every %d ms); %d row(s) later than the %d s"
                        + " timeout%n",
                lags.size(),
                slowestByWindowEnd.size(),
                percentile(lags, 0.50) / 1000.0,
                p99,
                lags.get(lags.size() - 1) / 1000.0,
                POLL_MILLIS,
                late,
                TIMEOUT.toSeconds());
        out.printf(
                Locale.ROOT,
                "  target p99 <= %.0f s (watermark delay + slide + 2 s%s) over >= 30 window ends:"
                        + " %s%n",
                target,
                delivery.equals("exactly-once") ? " + checkpoint interval" : "",
                p99 <= target && slowestByWindowEnd.size() >= 30 && late == 0 ? "met" : "MISSED");
        StringBuilder line = new StringBuilder("  slowest row per window end (s):");
        slowestByWindowEnd.forEach(
                (windowEnd, lag) -> line.append(String.format(Locale.ROOT, " %.1f", lag / 1000.0)));
        out.println(line);
    }

    /** Defaults of the job: 10 s watermark delay, 10 s slide, 10 s checkpoint interval. */
    static double targetSeconds(String delivery) {
        var cfg =
                io.telemetra.config.TelemetraConfig.load(
                        new String[0], java.util.Map.of("POSTGRES_PASSWORD", "-"));
        double t =
                cfg.eventTime().watermarkDelay().toMillis() / 1000.0
                        + cfg.windows().slide().toMillis() / 1000.0
                        + 2;
        return delivery.equals("exactly-once")
                ? t + cfg.checkpointInterval().toMillis() / 1000.0
                : t;
    }

    static long percentile(List<Long> sorted, double p) {
        int i = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
