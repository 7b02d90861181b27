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
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Freshness: the generator produces live (event time = wall time) at a fixed rate while the real
 * job runs in stream mode; a poller reads {@code chat_summary_minute} every 50 ms and records, per
 * row, how long after its window's end it became visible. That includes the watermark delay, the
 * slide-aligned firing, the sink's batching and, in exactly-once mode, the wait for the checkpoint
 * that commits it.
 */
final class Freshness {
    static final long POLL_MILLIS = 50;

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
                "Freshness, %s: %d records/s live over %d streams for %d s (after a 30 s"
                        + " warm-up) ...%n",
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

        List<Long> lags = new ArrayList<>();
        java.util.TreeMap<Long, List<Long>> byWindowEnd = new java.util.TreeMap<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
                PreparedStatement q =
                        c.prepareStatement(
                                "SELECT stream_id, window_end FROM chat_summary_minute"
                                        + " WHERE window_end >= ?")) {
            // windows that end in the warm-up are partial and may wait for the job's start
            long from = System.currentTimeMillis() + 30_000;
            long end = from + duration.toMillis();
            q.setTimestamp(1, new Timestamp(from));
            Set<String> seen = new HashSet<>();
            while (System.currentTimeMillis() < end) {
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
                        long windowEnd = rs.getTimestamp(2).getTime();
                        if (seen.add(rs.getString(1) + "/" + windowEnd) && windowEnd <= end) {
                            lags.add(now - windowEnd);
                            byWindowEnd
                                    .computeIfAbsent(windowEnd, k -> new ArrayList<>())
                                    .add(now - windowEnd);
                        }
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
        if (lags.isEmpty()) {
            throw new IllegalStateException(
                    "no window became visible while measuring freshness; see "
                            + dir.resolve("freshness-" + delivery + ".out"));
        }
        Collections.sort(lags);
        out.printf(
                Locale.ROOT,
                "  %,d rows: p50 %.1f s, p99 %.1f s, max %.1f s after the window's end (polled"
                        + " every %d ms)%n",
                lags.size(),
                percentile(lags, 0.50) / 1000.0,
                percentile(lags, 0.99) / 1000.0,
                lags.get(lags.size() - 1) / 1000.0,
                POLL_MILLIS);
        // per window end: when its first and last row became visible
        StringBuilder line = new StringBuilder("  per window end (first-last row, s):");
        byWindowEnd.forEach(
                (windowEnd, l) ->
                        line.append(
                                String.format(
                                        Locale.ROOT,
                                        " %.1f-%.1f",
                                        Collections.min(l) / 1000.0,
                                        Collections.max(l) / 1000.0)));
        out.println(line);
    }

    static long percentile(List<Long> sorted, double p) {
        int i = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
