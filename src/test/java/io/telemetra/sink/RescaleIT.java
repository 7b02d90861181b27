package io.telemetra.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.TelemetraJob;
import io.telemetra.testing.ExpectedWindows;
import io.telemetra.testing.JobRunner;
import io.telemetra.testing.RealInfrastructure;
import io.telemetra.testing.Reliability;
import io.telemetra.testing.Tables;
import io.telemetra.testing.TestEvent;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The exactly-once sink across a change of parallelism: the production job runs at one parallelism,
 * a savepoint is taken and the job cancelled at once (so the savepoint's transactions, and any
 * prepared after it, may still be prepared), and the job resumes from the savepoint at another
 * parallelism with more input. Every window must be in PostgreSQL exactly as the input determines,
 * and nothing may be left in pg_prepared_xacts.
 */
@ExtendWith(RealInfrastructure.class)
class RescaleIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    static final long T0 = Instant.parse("2026-06-01T10:00:00Z").toEpochMilli();
    static final long HALF = T0 + 120_000;
    static final long END = T0 + 240_000;

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"1, 2", "2, 1", "2, 3", "4, 2"})
    void aSavepointRestoresAtAnotherParallelismWithEveryRowExactlyOnce(
            int from, int to, @TempDir Path tmp) throws Exception {
        RealInfrastructure.resetSchema();
        String topic = "rescale-" + from + "-" + to;
        RealInfrastructure.recreateTopic(topic + ".chat", 4);
        RealInfrastructure.recreateTopic(topic + ".viewer", 4);
        List<TestEvent> first = events(T0, HALF);
        List<TestEvent> second = events(HALF, END);
        // one producer for both parts: a second idempotent producer on the in-JVM broker was
        // refused with OUT_OF_ORDER_SEQUENCE_NUMBER and its records never arrived
        KafkaProducer<byte[], byte[]> producer = RealInfrastructure.producer();
        produce(producer, topic, first);

        JobClient before = start(topic, from, null);
        TreeMap<ExpectedWindows.Key, ExpectedWindows.Row> expectedBefore =
                expected(first, watermarkAfter(first));
        waitForWindows("before", before, expectedBefore);
        Tables.assertWindowsMatch(expectedBefore, Tables.readSummaries());
        String savepoint =
                before.triggerSavepoint(tmp.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get();
        before.cancel().get();
        int preparedAtCancel = prepared();

        produce(producer, topic, second);
        producer.close();
        List<TestEvent> all = new ArrayList<>(first);
        all.addAll(second);
        TreeMap<ExpectedWindows.Key, ExpectedWindows.Row> expected =
                expected(all, watermarkAfter(all));
        JobClient after = start(topic, to, savepoint);
        waitForWindows("after", after, expected);
        after.stopWithSavepoint(false, tmp.toUri().toString(), SavepointFormatType.CANONICAL).get();

        Tables.assertWindowsMatch(expected, Tables.readSummaries());
        assertEquals(0, prepared(), "transactions left in pg_prepared_xacts");
        Reliability.record(
                "rescale " + from + " -> " + to + " (exactly-once)",
                "savepoint, then cancel at once ("
                        + preparedAtCancel
                        + " transaction(s) prepared at the cancel); resume at parallelism "
                        + to
                        + " with 120 s more input",
                "every window vs an independent reference; pg_prepared_xacts",
                "identical, nothing left prepared");
    }

    private static JobClient start(String topic, int parallelism, String savepoint)
            throws Exception {
        Configuration conf = new Configuration();
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = JobRunner.environment(conf);
        env.setParallelism(parallelism);
        TelemetraJob.build(
                env,
                JobRunner.config(
                        topic + ".chat",
                        topic + ".viewer",
                        "--kafka.starting-offsets",
                        "earliest"));
        return env.executeAsync("rescale-" + topic + "-" + parallelism);
    }

    /**
     * Six streams, 2 messages/s each from 20 users, viewer counts every 10 s. Every partition gets
     * records throughout, so the default idleness (30 s) never marks one idle and no event is late.
     */
    static List<TestEvent> events(long from, long to) {
        List<TestEvent> out = new ArrayList<>();
        List<TestEvent.MessageTemplate> messages = TestEvent.MessageTemplate.ALL;
        for (long t = from; t < to; t += 500) {
            int i = (int) ((t - T0) / 500);
            for (int s = 0; s < 6; s++) {
                out.add(
                        TestEvent.chat(
                                "s" + s,
                                t,
                                "u" + (i % 20),
                                messages.get((i + s) % messages.size())));
                if (t % 10_000 == 0) {
                    out.add(TestEvent.viewers("s" + s, t, 100L * s + i));
                }
            }
        }
        return out;
    }

    /** Round robin over the partitions, so every partition's watermark moves. */
    private static void produce(
            KafkaProducer<byte[], byte[]> p, String topic, List<TestEvent> events) {
        int chats = 0, viewers = 0;
        for (TestEvent e : events) {
            p.send(
                    e.chat()
                            ? new ProducerRecord<>(topic + ".chat", chats++ % 4, null, e.json())
                            : new ProducerRecord<>(
                                    topic + ".viewer", viewers++ % 4, null, e.json()));
        }
        p.flush();
    }

    /** The watermark once every event is read: the newest timestamp less the 10 s delay. */
    private static long watermarkAfter(List<TestEvent> events) {
        return events.stream().mapToLong(TestEvent::timestamp).max().orElseThrow() - 10_000;
    }

    /** The windows a watermark at {@code watermark} has fired. */
    private static TreeMap<ExpectedWindows.Key, ExpectedWindows.Row> expected(
            List<TestEvent> events, long watermark) {
        TreeMap<ExpectedWindows.Key, ExpectedWindows.Row> out = new TreeMap<>();
        ExpectedWindows.compute(events)
                .forEach(
                        (k, row) -> {
                            if (k.windowStart() + ExpectedWindows.SIZE <= watermark) {
                                out.put(k, row);
                            }
                        });
        return out;
    }

    private static void waitForWindows(
            String phase, JobClient job, TreeMap<ExpectedWindows.Key, ExpectedWindows.Row> expected)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            Set<ExpectedWindows.Key> written = Tables.readSummaries().keySet();
            Set<ExpectedWindows.Key> missing = new TreeSet<>(expected.keySet());
            missing.removeAll(written);
            if (missing.isEmpty()) {
                return;
            }
            if (job.getJobStatus().get().isGloballyTerminalState()) {
                // the job's own failure says more than a timeout
                job.getJobExecutionResult().get();
            }
            System.out.printf(
                    "RESCALE %s: %d of %d windows missing (%d written), e.g. %s; prepared %d%n",
                    phase,
                    missing.size(),
                    expected.size(),
                    written.size(),
                    missing.iterator().next(),
                    prepared());
            assertTrue(System.nanoTime() < deadline, phase + ": windows not written in time");
            Thread.sleep(2000);
        }
    }

    private static int prepared() throws Exception {
        try (Connection c = RealInfrastructure.connect()) {
            return PreparedTransactions.listAll(c).size();
        }
    }
}
