package io.telemetra.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.tools.generator.ChatSimulation;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The fixed input of the failure tests and how a run is driven: the generator's traffic (planted
 * bursts, malformed records) produced in {@link #CHUNKS} chunks while the job runs, a closing
 * record per partition that moves the watermark past {@link #CUTOFF}, then a wait until every
 * window up to it is written. Runs with and without a failure are compared with {@link #dump}.
 */
public final class FailureScenario {
    public static final long T0 = Instant.parse("2026-05-01T00:00:00Z").toEpochMilli();
    public static final long CUTOFF = T0 + 8 * 60_000;
    public static final int CHUNKS = 40;
    public static final List<ChatSimulation.Record> INPUT = generate();

    /** A run's two topics. */
    public record Topics(String chat, String viewer) {
        public static Topics named(String prefix) {
            return new Topics(prefix + ".chat", prefix + ".viewer");
        }
    }

    /** What a run does after a chunk of input has been produced: nothing, or a failure. */
    public interface Disruption {
        void afterChunk(int chunk) throws Exception;
    }

    private FailureScenario() {}

    private static List<ChatSimulation.Record> generate() {
        ChatSimulation sim = new ChatSimulation(11, 6, 40, T0, 0.002, 90_000, 100_000);
        List<ChatSimulation.Record> out = new ArrayList<>();
        for (ChatSimulation.Record r = sim.next(l -> {});
                r.timestamp() < CUTOFF;
                r = sim.next(l -> {})) {
            out.add(r);
        }
        return out;
    }

    /** Produces chunks [from, to) of the input, in event-time order; chat alternates partitions. */
    public static void produce(Producer<byte[], byte[]> p, Topics t, int from, int to) {
        int size = (INPUT.size() + CHUNKS - 1) / CHUNKS;
        for (int i = from * size; i < Math.min(INPUT.size(), to * size); i++) {
            ChatSimulation.Record r = INPUT.get(i);
            p.send(
                    r.chat()
                            ? new ProducerRecord<>(t.chat(), i % 2, null, r.payload())
                            : new ProducerRecord<>(t.viewer(), 0, null, r.payload()));
        }
        p.flush();
    }

    /**
     * One valid record per partition, 5 minutes after the cutoff, so every window up to it fires.
     */
    public static void produceClosing(Producer<byte[], byte[]> p, Topics t) {
        long ts = CUTOFF + 300_000;
        for (int partition = 0; partition < 2; partition++) {
            p.send(
                    new ProducerRecord<>(
                            t.chat(),
                            partition,
                            null,
                            ("{\"stream_id\":\"closing\",\"user_id\":\"c\",\"message\":\"bye\","
                                            + "\"timestamp\":"
                                            + ts
                                            + "}")
                                    .getBytes(StandardCharsets.UTF_8)));
        }
        p.send(
                new ProducerRecord<>(
                        t.viewer(),
                        0,
                        null,
                        ("{\"stream_id\":\"closing\",\"viewer_count\":1,\"timestamp\":" + ts + "}")
                                .getBytes(StandardCharsets.UTF_8)));
        p.flush();
    }

    /** Windows up to the cutoff written so far. */
    public static long windowsWritten(Connection c) throws Exception {
        try (Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT count(*) FROM chat_summary_minute WHERE window_end <="
                                        + " to_timestamp("
                                        + CUTOFF / 1000
                                        + ")")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * The tables as sorted text: windows up to the cutoff, moments that started two windows before
     * it, every rejection; run-specific topic names replaced by their role.
     */
    public static List<String> dump(Connection c, Topics t) throws Exception {
        String cutoff = "to_timestamp(" + CUTOFF / 1000 + ")";
        List<String> rows =
                Tables.dump(
                        c,
                        "SELECT stream_id, window_start, window_end, chat_count, unique_chatters,"
                                + " avg_sentiment, positive_count, negative_count, chat_rate,"
                                + " avg_viewers, top_emotes, z_score, is_anomaly FROM"
                                + " chat_summary_minute WHERE window_end <= "
                                + cutoff,
                        "SELECT stream_id, \"timestamp\", moment_type, description, intensity,"
                                + " metadata FROM moments WHERE \"timestamp\" <= "
                                + cutoff
                                + " - interval '2 minutes'",
                        "SELECT source_topic, source_partition, source_offset, reason, detail,"
                                + " payload, payload_size FROM rejected_events");
        List<String> renamed = new ArrayList<>(rows.size());
        for (String r : rows) {
            renamed.add(r.replace(t.chat() + "|", "chat|").replace(t.viewer() + "|", "viewer|"));
        }
        return renamed;
    }

    public static void waitFor(String what, Duration timeout, Callable<Boolean> condition)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(condition.call())) {
                    return;
                }
            } catch (Exception e) {
                // the database or broker may be down on purpose: keep waiting
            }
            Thread.sleep(500);
        }
        assertTrue(false, "timed out after " + timeout + " waiting for " + what);
    }
}
