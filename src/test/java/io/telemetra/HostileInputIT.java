package io.telemetra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.sink.PostgresCheck;
import io.telemetra.testing.ExpectedWindows;
import io.telemetra.testing.HostileCorpus;
import io.telemetra.testing.JobRunner;
import io.telemetra.testing.RealInfrastructure;
import io.telemetra.testing.Reliability;
import io.telemetra.testing.Tables;
import io.telemetra.testing.TestEvent;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * More than 10,000 hostile records mixed into valid traffic whose stream ids look like SQL and
 * emoji: with restarts switched off the job must finish (one failure would fail it), every hostile
 * record must be in rejected_events with its reason, and the valid traffic's windows must equal the
 * reference, the SQL-looking stream id stored unchanged.
 */
@ExtendWith(RealInfrastructure.class)
class HostileInputIT {
    @RegisterExtension static final MiniClusterExtension FLINK = JobRunner.miniCluster();

    static final long T0 = Instant.parse("2026-02-01T00:00:00Z").toEpochMilli();
    static final String SQL_STREAM = "x'); DROP TABLE moments; --";
    static final String[] STREAMS = {SQL_STREAM, "🎮 stream ✨", "Ünïcödé-ß", "plain"};

    @Test
    void hostileRecordsAreRejectedWithTheirReasonAndHurtNothing() throws Exception {
        RealInfrastructure.resetSchema();
        RealInfrastructure.createTopic("hostile.chat", 2);
        RealInfrastructure.createTopic("hostile.viewer", 1);

        List<TestEvent> valid = new ArrayList<>();
        List<TestEvent.MessageTemplate> templates = TestEvent.MessageTemplate.ALL;
        for (int i = 0; i < 1200; i++) {
            for (int s = 0; s < STREAMS.length; s++) {
                valid.add(
                        TestEvent.chat(
                                STREAMS[s],
                                T0 + i * 250L + s,
                                "u" + (i % (10 + s * 7)),
                                templates.get((i + s) % templates.size())));
            }
            if (i % 40 == 0) {
                valid.add(TestEvent.viewers(STREAMS[i % STREAMS.length], T0 + i * 250L, 100 + i));
            }
        }
        List<HostileCorpus.Hostile> hostile =
                HostileCorpus.generate(10_000, 7, T0 + 1000, System.currentTimeMillis());

        // "topic/partition/offset" -> reason, from the broker's acknowledgements
        Map<String, String> expectedRejections = new ConcurrentHashMap<>();
        try (KafkaProducer<byte[], byte[]> p = RealInfrastructure.producer()) {
            int v = 0;
            for (int h = 0; h < hostile.size(); h++) {
                // two hostile records, then a valid one, until both run out
                if (h % 2 == 0 && v < valid.size()) {
                    p.send(record(valid.get(v), v++));
                }
                HostileCorpus.Hostile bad = hostile.get(h);
                String topic = bad.chat() ? "hostile.chat" : "hostile.viewer";
                p.send(
                        new ProducerRecord<>(topic, bad.chat() ? h % 2 : 0, null, bad.payload()),
                        (md, ex) -> {
                            if (ex == null) {
                                expectedRejections.put(
                                        md.topic() + "/" + md.partition() + "/" + md.offset(),
                                        bad.reason());
                            }
                        });
            }
            for (; v < valid.size(); v++) {
                p.send(record(valid.get(v), v));
            }
            p.flush();
        }
        assertEquals(10_000, expectedRejections.size(), "every hostile record acknowledged");

        // restarts off: a single failure caused by a record fails the job and this test
        Configuration noRestarts = new Configuration();
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = JobRunner.environment();
        env.configure(noRestarts);
        TelemetraJob.build(
                env, JobRunner.config("hostile.chat", "hostile.viewer", "--mode", "replay"));
        env.execute("hostile-input");

        Tables.assertWindowsMatch(ExpectedWindows.compute(valid), Tables.readSummaries());
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement()) {
            Map<String, String> rejected = new TreeMap<>();
            try (ResultSet rs =
                    st.executeQuery(
                            "SELECT source_topic, source_partition, source_offset, reason FROM"
                                    + " rejected_events")) {
                while (rs.next()) {
                    rejected.put(
                            rs.getString(1) + "/" + rs.getInt(2) + "/" + rs.getLong(3),
                            rs.getString(4));
                }
            }
            assertEquals(new TreeMap<>(expectedRejections), rejected, "each with its reason");
            try (ResultSet rs =
                    st.executeQuery(
                            "SELECT count(*) FROM chat_summary_minute WHERE stream_id = '"
                                    + SQL_STREAM.replace("'", "''")
                                    + "'")) {
                rs.next();
                assertTrue(rs.getLong(1) > 0, "the SQL-looking stream id round-trips unchanged");
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM moments")) {
                assertTrue(rs.next(), "the moments table is still there");
            }
            assertEquals(List.of(), PostgresCheck.preparedTransactions(c));
        }
        Map<String, Long> byReason = new TreeMap<>();
        hostile.forEach(b -> byReason.merge(b.reason(), 1L, Long::sum));
        Reliability.record(
                "hostile input mixed into valid traffic",
                hostile.size()
                        + " bad records of 24 kinds (truncated, 5,000-deep nesting, 1 MiB strings,"
                        + " invalid UTF-8, NUL, NaN/Infinity, wrong types, overflows, duplicate"
                        + " keys, empty, years ahead) among "
                        + valid.size()
                        + " valid events with SQL-looking and emoji stream ids",
                "rejected_events per record vs its expected reason; windows vs an independent"
                        + " reference; restarts off",
                "every record rejected with its reason "
                        + byReason
                        + ", windows equal, no restart, SQL-looking id stored unchanged");
    }

    private static ProducerRecord<byte[], byte[]> record(TestEvent e, int i) {
        return e.chat()
                ? new ProducerRecord<>("hostile.chat", i % 2, null, e.json())
                : new ProducerRecord<>("hostile.viewer", 0, null, e.json());
    }
}
