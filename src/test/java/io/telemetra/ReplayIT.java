package io.telemetra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.sink.PostgresCheck;
import io.telemetra.testing.ExpectedWindows;
import io.telemetra.testing.JobRunner;
import io.telemetra.testing.RealInfrastructure;
import io.telemetra.testing.Tables;
import io.telemetra.testing.TestEvent;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole job on a MiniCluster at parallelism 2, in replay mode, against a real Kafka broker and
 * a real PostgreSQL: out-of-order events over two partitions, malformed records of every kind and a
 * planted chat burst. Every window row is compared with an independent reference computation.
 */
@ExtendWith(RealInfrastructure.class)
class ReplayIT {
    @RegisterExtension static final MiniClusterExtension FLINK = JobRunner.miniCluster();

    static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    static final String CHAT = "replay.chat";
    static final String VIEWERS = "replay.viewer";

    static final List<TestEvent> VALID = new ArrayList<>();

    /** "topic/partition/offset" → expected reason. */
    static final Map<String, String> EXPECTED_REJECTIONS = new HashMap<>();

    static long bigPayloadSize;

    @BeforeAll
    static void produceInput() throws Exception {
        RealInfrastructure.createTopic(CHAT, 2);
        RealInfrastructure.createTopic(VIEWERS, 1);
        Random rnd = new Random(42);
        List<TestEvent> nominal = new ArrayList<>();
        // "steady": 2 messages a second for 10 minutes, 50 chatters
        for (int i = 0; i < 1200; i++) {
            nominal.add(chat("steady", i * 500L, "s" + (i % 50), i));
        }
        // "spiky": 1 message a second, plus a burst of 30 a second during [405 s, 420 s), 200
        // chatters
        for (int i = 0; i < 600; i++) {
            nominal.add(chat("spiky", i * 1000L, "u" + (i % 200), i));
        }
        for (int i = 0; i < 450; i++) {
            nominal.add(chat("spiky", 405_000L + i * 1000L / 30, "u" + (i % 200), i + 3));
        }
        for (int t = 0; t < 600; t += 10) {
            nominal.add(TestEvent.viewers("steady", T0 + t * 1000L, 1000 + t));
            nominal.add(TestEvent.viewers("spiky", T0 + t * 1000L + 3000, 50 + (t / 10) % 7));
        }
        nominal.sort((a, b) -> Long.compare(a.timestamp(), b.timestamp()));

        try (KafkaProducer<byte[], byte[]> producer = RealInfrastructure.producer()) {
            int n = 0;
            for (TestEvent nominalEvent : nominal) {
                // produced in nominal order, stamped up to 4 s off: out of order, but within the 10
                // s bound
                TestEvent e = jitter(nominalEvent, rnd.nextInt(8001) - 4000);
                VALID.add(e);
                if (e.chat()) {
                    producer.send(new ProducerRecord<>(CHAT, n++ % 2, null, e.json()));
                } else {
                    producer.send(new ProducerRecord<>(VIEWERS, 0, null, e.json()));
                }
                if (n % 400 == 0) {
                    produceMalformed(producer, n);
                }
            }
            producer.flush();
        }
    }

    private static TestEvent chat(String stream, long offsetMillis, String user, int i) {
        List<TestEvent.MessageTemplate> all = TestEvent.MessageTemplate.ALL;
        return TestEvent.chat(stream, T0 + offsetMillis, user, all.get(i % all.size()));
    }

    private static TestEvent jitter(TestEvent e, long by) {
        return new TestEvent(
                e.chat(),
                e.streamId(),
                e.timestamp() + by,
                e.userId(),
                e.message(),
                e.emotesField(),
                e.expectedScore(),
                e.expectedEmotes(),
                e.viewerCount());
    }

    private static int malformedRound;

    private static void produceMalformed(KafkaProducer<byte[], byte[]> producer, int n)
            throws Exception {
        long ts = T0 + 100_000;
        String future = Long.toString(System.currentTimeMillis() + 10L * 365 * 24 * 3600 * 1000);
        String big =
                "{\"stream_id\":\"steady\",\"user_id\":\"x\",\"message\":\"" + "x".repeat(100_000);
        bigPayloadSize = big.getBytes(StandardCharsets.UTF_8).length;
        Object[][] chat = {
            {"this is not json", "not_json"},
            {"", "not_json"},
            {"[1,2,3]", "not_object"},
            {
                "{\"stream_id\":\"steady\",\"user_id\":\"u\",\"timestamp\":" + ts + "}",
                "missing_field"
            },
            {
                "{\"stream_id\":\"steady\",\"user_id\":42,\"message\":\"hi\",\"timestamp\":"
                        + ts
                        + "}",
                "wrong_type"
            },
            {
                "{\"stream_id\":\"\",\"user_id\":\"u\",\"message\":\"hi\",\"timestamp\":"
                        + ts
                        + "}",
                "invalid_value"
            },
            {
                "{\"stream_id\":\"steady\",\"user_id\":\"u\",\"message\":\"hi\",\"timestamp\":\"yesterday\"}",
                "invalid_value"
            },
            {
                "{\"stream_id\":\"steady\",\"user_id\":\"u\",\"message\":\"hi\",\"timestamp\":1,\"timestamp\":"
                        + ts
                        + "}",
                "invalid_value"
            },
            {
                "{\"stream_id\":\"steady\",\"user_id\":\"u\",\"message\":\"hi\",\"timestamp\":"
                        + future
                        + "}",
                "future_timestamp"
            },
            {
                "{\"stream_id\":\"steady\",\"user_id\":\"u\",\"message\":\"hi\",\"timestamp\":"
                        + ts
                        + "} trailing",
                "not_json"
            },
            {big, "not_json"},
        };
        Object[][] viewer = {
            {
                "{\"stream_id\":\"steady\",\"viewer_count\":-5,\"timestamp\":" + ts + "}",
                "invalid_value"
            },
            {
                "{\"stream_id\":\"steady\",\"viewer_count\":\"12\",\"timestamp\":" + ts + "}",
                "wrong_type"
            },
            {"{\"stream_id\":\"steady\",\"timestamp\":" + ts + "}", "missing_field"},
            {
                "{\"stream_id\":\"steady\",\"viewer_count\":1.5,\"timestamp\":" + ts + "}",
                "wrong_type"
            },
        };
        malformedRound++;
        for (Object[] bad : chat) {
            send(producer, CHAT, malformedRound % 2, (String) bad[0], (String) bad[1]);
        }
        for (Object[] bad : viewer) {
            send(producer, VIEWERS, 0, (String) bad[0], (String) bad[1]);
        }
    }

    private static void send(
            KafkaProducer<byte[], byte[]> p,
            String topic,
            int partition,
            String value,
            String reason)
            throws Exception {
        RecordMetadata md =
                p.send(
                                new ProducerRecord<>(
                                        topic,
                                        partition,
                                        null,
                                        value.getBytes(StandardCharsets.UTF_8)))
                        .get();
        EXPECTED_REJECTIONS.put(topic + "/" + md.partition() + "/" + md.offset(), reason);
    }

    @Test
    void replayWritesExactlyTheExpectedWindowsMomentsAndRejections() throws Exception {
        RealInfrastructure.resetSchema();
        JobRunner.build(JobRunner.config(CHAT, VIEWERS, "--mode", "replay")).execute("replay-1");

        TreeMap<ExpectedWindows.Key, ExpectedWindows.Row> expected = ExpectedWindows.compute(VALID);
        Tables.assertWindowsMatch(expected, Tables.readSummaries());

        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement()) {
            // the burst is exactly one moment, starting at the slide where it began
            ResultSet rs =
                    st.executeQuery(
                            "SELECT stream_id, \"timestamp\", moment_type, intensity, "
                                    + "metadata->>'chat_count' FROM moments ORDER BY stream_id");
            assertTrue(rs.next(), "a moment for the planted burst");
            assertEquals("spiky", rs.getString(1));
            assertEquals(
                    Instant.ofEpochMilli(T0 + 400_000),
                    rs.getObject(2, java.time.OffsetDateTime.class).toInstant());
            assertEquals("chat_spike", rs.getString(3));
            assertTrue(
                    rs.getDouble(4) >= 3.0,
                    "intensity is the peak z-score, at least the threshold");
            assertTrue(
                    Long.parseLong(rs.getString(5)) > 60,
                    "metadata carries the window's chat count");
            assertTrue(
                    !rs.next(), "no other moment: the steady stream has none, the burst only one");

            rs =
                    st.executeQuery(
                            "SELECT count(*) FROM chat_summary_minute WHERE stream_id = 'steady'"
                                    + " AND is_anomaly");
            rs.next();
            assertEquals(0, rs.getLong(1), "steady stream never anomalous");
            rs =
                    st.executeQuery(
                            "SELECT count(*) FROM chat_summary_minute WHERE stream_id = 'steady'"
                                    + " AND z_score IS NULL");
            rs.next();
            assertEquals(10, rs.getLong(1), "z_score is NULL exactly during the 10-window warm-up");

            // every malformed record is in rejected_events with its reason
            Map<String, String> rejected = new HashMap<>();
            rs =
                    st.executeQuery(
                            "SELECT source_topic, source_partition, source_offset, reason FROM"
                                    + " rejected_events");
            while (rs.next()) {
                rejected.put(
                        rs.getString(1) + "/" + rs.getInt(2) + "/" + rs.getLong(3),
                        rs.getString(4));
            }
            assertEquals(new TreeMap<>(EXPECTED_REJECTIONS), new TreeMap<>(rejected));

            rs =
                    st.executeQuery(
                            "SELECT octet_length(payload), payload_size FROM rejected_events "
                                    + "WHERE payload_size > 65536 LIMIT 1");
            assertTrue(rs.next());
            assertEquals(64 * 1024, rs.getInt(1), "payload truncated at 64 KiB");
            assertEquals(bigPayloadSize, rs.getInt(2), "original size kept");

            rs =
                    st.executeQuery(
                            "SELECT payload FROM rejected_events WHERE reason = 'not_object' LIMIT"
                                    + " 1");
            assertTrue(rs.next());
            assertEquals(
                    "[1,2,3]",
                    new String(rs.getBytes(1), StandardCharsets.UTF_8),
                    "raw payload kept");

            assertEquals(
                    List.of(),
                    PostgresCheck.preparedTransactions(c),
                    "no XA transaction left in doubt");
        }

        // the same input replayed again changes nothing and duplicates nothing
        List<String> before = Tables.dump();
        JobRunner.build(JobRunner.config(CHAT, VIEWERS, "--mode", "replay")).execute("replay-2");
        Tables.assertSameRows(before, Tables.dump());
    }

    @Test
    void theJobsMainRunsAReplayToCompletion() throws Exception {
        RealInfrastructure.resetSchema();
        // as `flink run telemetra.jar --mode replay ...` does; the test PostgreSQL trusts local
        // logins
        TelemetraJob.main(
                new String[] {
                    "--mode",
                    "replay",
                    "--kafka.bootstrap-servers",
                    RealInfrastructure.kafkaBootstrap(),
                    "--kafka.topic.chat",
                    CHAT,
                    "--kafka.topic.viewer",
                    VIEWERS,
                    "--postgres.url",
                    RealInfrastructure.postgresUrl(),
                    "--postgres.user",
                    RealInfrastructure.PG_USER,
                    "--checkpoint.interval",
                    "1s"
                });
        assertEquals(ExpectedWindows.compute(VALID).keySet(), Tables.readSummaries().keySet());
    }

    @Test
    void atLeastOnceDeliveryWritesTheSameTablesAsExactlyOnce() throws Exception {
        RealInfrastructure.resetSchema();
        JobRunner.build(JobRunner.config(CHAT, VIEWERS, "--mode", "replay")).execute("replay-xa");
        List<String> exactlyOnce = Tables.dump();
        RealInfrastructure.resetSchema();
        JobRunner.build(
                        JobRunner.config(
                                CHAT,
                                VIEWERS,
                                "--mode",
                                "replay",
                                "--sink.delivery",
                                "at-least-once"))
                .execute("replay-at-least-once");
        Tables.assertSameRows(exactlyOnce, Tables.dump());
    }
}
