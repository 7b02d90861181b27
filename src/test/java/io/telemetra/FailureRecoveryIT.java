package io.telemetra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.config.TelemetraConfig;
import io.telemetra.kafka.KafkaSources;
import io.telemetra.sentiment.Lexicon;
import io.telemetra.sink.PostgresCheck;
import io.telemetra.sink.PostgresSinks;
import io.telemetra.testing.FailingSource;
import io.telemetra.testing.FailureScenario;
import io.telemetra.testing.FailureScenario.Topics;
import io.telemetra.testing.JobRunner;
import io.telemetra.testing.RealInfrastructure;
import io.telemetra.testing.Reliability;
import io.telemetra.testing.Tables;
import io.telemetra.tools.demo.LocalKafka;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterRESTAddress;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exactly-once under failures, after Flink's own end-to-end tests: the same generated input
 * (bursts, malformed records) is driven through the production pipeline once without a failure (the
 * reference) and once per scenario, and the PostgreSQL tables must then be identical to the
 * reference with no XA transaction left prepared. Each passing scenario adds a row to the
 * reliability report.
 */
@ExtendWith(RealInfrastructure.class)
class FailureRecoveryIT {
    @RegisterExtension static final MiniClusterExtension FLINK = JobRunner.miniCluster();

    static List<String> reference;
    static long referenceWindows;
    static URI rest;

    /** A run's tables and how often the job restarted during it. */
    record Run(List<String> tables, long restarts) {}

    /** Where a run reads and writes: the shared test services, or its own broker or database. */
    record Services(String kafka, Map<String, Object> kafkaClient, String postgresUrl) {
        static Services shared() {
            return new Services(
                    RealInfrastructure.kafkaBootstrap(),
                    Map.of(),
                    RealInfrastructure.postgresUrl());
        }

        Connection connect() throws Exception {
            return DriverManager.getConnection(
                    postgresUrl, RealInfrastructure.PG_USER, RealInfrastructure.PG_PASSWORD);
        }

        KafkaProducer<byte[], byte[]> producer() {
            Map<String, Object> p = new HashMap<>(kafkaClient);
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        }
    }

    @BeforeAll
    static void referenceRun(@InjectClusterRESTAddress URI restAddress) throws Exception {
        rest = restAddress;
        Run ref = run("ref", "exactly-once", Services.shared(), false, chunk -> {});
        assertEquals(0, ref.restarts(), "the reference run has no failure");
        reference = ref.tables();
        try (Connection c = Services.shared().connect()) {
            referenceWindows = FailureScenario.windowsWritten(c);
        }
        assertTrue(referenceWindows > 200, "reference windows: " + referenceWindows);
        assertTrue(
                reference.stream().anyMatch(r -> r.contains("chat_spike")),
                "the reference has moments to compare");
    }

    @Test
    void injectedExceptionsExactlyOnce() throws Exception {
        injectedExceptions("exactly-once");
    }

    @Test
    void injectedExceptionsAtLeastOnce() throws Exception {
        injectedExceptions("at-least-once");
    }

    private void injectedExceptions(String delivery) throws Exception {
        FailingSource.INJECTED.set(0);
        Run got = run("inject-" + delivery, delivery, Services.shared(), true, chunk -> {});
        assertEquals(3, FailingSource.INJECTED.get(), "three failures were injected");
        assertTrue(got.restarts() > 0, "the job's exception history shows the failures");
        Tables.assertSameRows(reference, got.tables());
        Reliability.record(
                "exception inside the job, 3 times (" + delivery + ")",
                "RuntimeException in the chat source after 2,000 records of an attempt and a"
                        + " completed checkpoint; restart strategy on",
                "all three tables vs a failure-free run; pg_prepared_xacts",
                "identical ("
                        + rows(got.tables())
                        + "), 3 failures injected, no prepared transaction left");
    }

    @ParameterizedTest
    @ValueSource(strings = {"exactly-once", "at-least-once"})
    void postgresDownForThirtySeconds(String delivery, @TempDir Path dir) throws Exception {
        int port = freePort();
        Path data = dir.resolve("pg");
        EmbeddedPostgres[] pg = {startPostgres(data, port)};
        Services own =
                new Services(
                        RealInfrastructure.kafkaBootstrap(),
                        Map.of(),
                        "jdbc:postgresql://localhost:" + port + "/postgres");
        long[] downFor = new long[1];
        try {
            Run got =
                    run(
                            "pgdown-" + delivery,
                            delivery,
                            own,
                            false,
                            chunk -> {
                                if (chunk == 12) {
                                    long t = System.nanoTime();
                                    pg[0].close();
                                    Thread.sleep(30_000);
                                    pg[0] = startPostgres(data, port);
                                    downFor[0] = (System.nanoTime() - t) / 1_000_000_000;
                                }
                            });
            Tables.assertSameRows(reference, got.tables());
            assertTrue(got.restarts() > 0, "the job failed over while the database was down");
            report(
                    "PostgreSQL stopped mid-stream (" + delivery + ")",
                    "the database server stopped for " + downFor[0] + " s, then started again",
                    got);
        } finally {
            pg[0].close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"exactly-once", "at-least-once"})
    void kafkaBrokerRestarted(String delivery, @TempDir Path dir) throws Exception {
        try (LocalKafka kafka = new LocalKafka(dir.resolve("kafka"), freePort(), freePort())) {
            Path log4j = Path.of("src/tools/log4j2-tools.properties");
            kafka.start(log4j);
            Services own =
                    new Services(kafka.bootstrap(), Map.of(), RealInfrastructure.postgresUrl());
            Run got =
                    run(
                            "kafkarestart-" + delivery,
                            delivery,
                            own,
                            false,
                            chunk -> {
                                if (chunk == 15) {
                                    kafka.stop();
                                    Thread.sleep(5_000);
                                    kafka.start(log4j);
                                }
                            });
            Tables.assertSameRows(reference, got.tables());
            report(
                    "Kafka broker restarted mid-stream (" + delivery + ")",
                    "the broker process stopped (SIGTERM), down 5 s, started again on the same"
                            + " data",
                    got);
        }
    }

    /** Drives one run and returns its tables; asserts that no XA transaction is left prepared. */
    static Run run(
            String prefix,
            String delivery,
            Services services,
            boolean inject,
            FailureScenario.Disruption d)
            throws Exception {
        Topics topics = Topics.named("failure." + prefix);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", (Object) services.kafka()))) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(topics.chat(), 2, (short) 1),
                                    new NewTopic(topics.viewer(), 1, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        RealInfrastructure.dropSchema(services.postgresUrl());
        RealInfrastructure.migrate(services.postgresUrl());
        TelemetraConfig cfg =
                TelemetraConfig.load(
                        new String[] {
                            "--kafka.bootstrap-servers",
                            services.kafka(),
                            "--kafka.topic.chat",
                            topics.chat(),
                            "--kafka.topic.viewer",
                            topics.viewer(),
                            "--kafka.group-id",
                            prefix,
                            "--kafka.starting-offsets",
                            "earliest",
                            "--postgres.url",
                            services.postgresUrl(),
                            "--postgres.user",
                            RealInfrastructure.PG_USER,
                            "--sink.delivery",
                            delivery,
                            "--checkpoint.interval",
                            "1s",
                            "--watermark.idleness",
                            // the default: longer than the outages, so a partition that resumes
                            // after one is not behind an idle-advanced watermark
                            "30s"
                        },
                        Map.of("POSTGRES_PASSWORD", RealInfrastructure.PG_PASSWORD));
        StreamExecutionEnvironment env = JobRunner.environment();
        Configuration restartPolicy = new Configuration();
        // outages last seconds: keep restarting, as the production exponential-delay does
        restartPolicy.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1000);
        env.configure(restartPolicy);
        Pipeline.Sources sources = KafkaSources.create(cfg);
        if (inject) {
            sources =
                    new Pipeline.Sources(
                            new FailingSource<>(sources.chat(), 2000, 3), sources.viewer());
        }
        Pipeline.build(env, cfg, Lexicon.builtIn(), sources, PostgresSinks.create(cfg));
        JobClient job = env.executeAsync("failure-" + prefix);
        try (KafkaProducer<byte[], byte[]> p = services.producer()) {
            for (int chunk = 0; chunk < FailureScenario.CHUNKS; chunk++) {
                FailureScenario.produce(p, topics, chunk, chunk + 1);
                d.afterChunk(chunk);
                Thread.sleep(150);
            }
            FailureScenario.produceClosing(p, topics);
        }
        long want = referenceWindows == 0 ? Long.MAX_VALUE : referenceWindows;
        FailureScenario.waitFor(
                "every window up to the cutoff in PostgreSQL",
                Duration.ofMinutes(4),
                () -> {
                    try (Connection c = services.connect()) {
                        long n = FailureScenario.windowsWritten(c);
                        return want == Long.MAX_VALUE ? n > 0 && settled(c, n) : n >= want;
                    }
                });
        long restarts = restarts(job);
        // a final checkpoint commits whatever is pending, then the job ends
        job.stopWithSavepoint(
                        false,
                        Files.createTempDirectory("sp").toUri().toString(),
                        SavepointFormatType.CANONICAL)
                .get(2, TimeUnit.MINUTES);
        try (Connection c = services.connect()) {
            assertEquals(
                    List.of(),
                    PostgresCheck.preparedTransactions(c),
                    "no XA transaction left in doubt");
            return new Run(FailureScenario.dump(c, topics), restarts);
        }
    }

    /** Failures in the job's exception history (each one restarted it), from the REST API. */
    private static long restarts(JobClient job) throws Exception {
        String body =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                rest.resolve(
                                                        "/jobs/" + job.getJobID() + "/exceptions"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
        return new org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(body)
                .path("exceptionHistory")
                .path("entries")
                .size();
    }

    /** For the reference run, which has no count to wait for: the count stopped growing. */
    private static boolean settled(Connection c, long n) throws Exception {
        Thread.sleep(5_000);
        return FailureScenario.windowsWritten(c) == n;
    }

    private static void report(String scenario, String injected, Run got) {
        Reliability.record(
                scenario,
                injected,
                "all three tables vs a failure-free run; pg_prepared_xacts",
                "identical ("
                        + rows(got.tables())
                        + "), "
                        + got.restarts()
                        + " failures in the job's exception history, no prepared"
                        + " transaction left");
    }

    /** "chat_summary_minute 288 rows, ..." from a dump's block headers. */
    private static String rows(List<String> dump) {
        List<String> counts = new ArrayList<>();
        for (String r : dump) {
            if (r.matches("[a-z_]+ rows=\\d+")) {
                counts.add(r.replace(" rows=", " ") + " rows");
            }
        }
        return String.join(", ", counts);
    }

    private static EmbeddedPostgres startPostgres(Path data, int port) throws Exception {
        return EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .setPort(port)
                .setServerConfig("max_prepared_transactions", "20")
                .start();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
