package io.telemetra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.testing.JobRunner;
import io.telemetra.testing.RealInfrastructure;
import io.telemetra.testing.TestEvent;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.Callable;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job in stream mode (unbounded, exactly-once, checkpoints every second) with a viewer topic
 * that never receives anything: the windows must still fire, because the silent topic's partitions
 * go idle and drop out of the minimum watermark. An event arriving after its windows fired must end
 * up in rejected_events as late, not vanish.
 */
@ExtendWith(RealInfrastructure.class)
class StreamModeIT {
    @RegisterExtension static final MiniClusterExtension FLINK = JobRunner.miniCluster();

    static final long T0 = Instant.parse("2026-02-01T00:00:00Z").toEpochMilli();

    @Test
    void silentViewerTopicDoesNotStallWindowsAndLateEventsAreKept() throws Exception {
        RealInfrastructure.resetSchema();
        RealInfrastructure.createTopic("stream.chat", 2);
        RealInfrastructure.createTopic("stream.viewer", 1); // stays empty
        JobClient job =
                JobRunner.build(
                                JobRunner.config(
                                        "stream.chat",
                                        "stream.viewer",
                                        "--mode",
                                        "stream",
                                        "--watermark.idleness",
                                        "2s",
                                        "--kafka.starting-offsets",
                                        "earliest"))
                        .executeAsync("stream-mode");
        try (KafkaProducer<byte[], byte[]> producer = RealInfrastructure.producer()) {
            TestEvent.MessageTemplate hello = TestEvent.MessageTemplate.ALL.get(2);
            for (int i = 0; i <= 120; i++) {
                byte[] json = TestEvent.chat("live", T0 + i * 1000L, "u" + (i % 7), hello).json();
                producer.send(new ProducerRecord<>("stream.chat", i % 2, null, json));
            }
            producer.flush();

            // watermark ≈ 120 s − 10 s on both chat partitions; the viewer topic is idle: [40 s,
            // 100 s) fires
            long window = T0 + 40_000;
            waitFor(
                    "window [40 s, 100 s) written while the viewer topic is silent",
                    () -> Long.valueOf(60).equals(chatCount(window)));

            // this one belongs to windows that all ended by 60 s: it is late
            byte[] lateJson = TestEvent.chat("live", T0 + 5_000, "late-user", hello).json();
            RecordMetadata md =
                    producer.send(new ProducerRecord<>("stream.chat", 0, null, lateJson)).get();
            waitFor(
                    "late event in rejected_events",
                    () -> lateRows(md.partition(), md.offset()) == 1);
            String payload = latePayload(md.partition(), md.offset());
            assertTrue(
                    payload.contains("\"user_id\":\"late-user\"")
                            && payload.contains("\"timestamp\":" + (T0 + 5_000)),
                    payload);
            // [-50 s, 10 s) held the events at 0..9 s; the late one (5 s) did not change it
            assertEquals(
                    10L,
                    chatCount(T0 - 50_000),
                    "the window the late event belongs to is not changed");
        } finally {
            job.cancel().get();
        }
    }

    private static Long chatCount(long windowStart) throws Exception {
        try (Connection c = RealInfrastructure.connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT chat_count FROM chat_summary_minute WHERE stream_id ="
                                        + " 'live' AND window_start = ?")) {
            ps.setObject(
                    1, OffsetDateTime.ofInstant(Instant.ofEpochMilli(windowStart), ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    private static long lateRows(int partition, long offset) throws Exception {
        try (Connection c = RealInfrastructure.connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT count(*) FROM rejected_events WHERE reason = 'late' AND"
                                    + " source_topic = 'stream.chat' AND source_partition = ? AND"
                                    + " source_offset = ?")) {
            ps.setInt(1, partition);
            ps.setLong(2, offset);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String latePayload(int partition, long offset) throws Exception {
        try (Connection c = RealInfrastructure.connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT payload FROM rejected_events "
                                        + "WHERE source_partition = ? AND source_offset = ?")) {
            ps.setInt(1, partition);
            ps.setLong(2, offset);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new String(rs.getBytes(1), StandardCharsets.UTF_8);
            }
        }
    }

    /** Polls for up to 90 s: rows appear when a checkpoint commits them. */
    private static void waitFor(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Boolean.TRUE.equals(condition.call())) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("timed out waiting for: " + what);
    }
}
