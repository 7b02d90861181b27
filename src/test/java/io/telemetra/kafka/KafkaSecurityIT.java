package io.telemetra.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.StartupException;
import io.telemetra.TelemetraJob;
import io.telemetra.config.ConfigException;
import io.telemetra.config.TelemetraConfig;
import io.telemetra.testing.ExpectedWindows;
import io.telemetra.testing.JobRunner;
import io.telemetra.testing.RealInfrastructure;
import io.telemetra.testing.Tables;
import io.telemetra.testing.TestEvent;
import io.telemetra.tools.demo.LocalKafka;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real broker that only accepts SASL/PLAIN logins (a child process): the job reads it with the
 * security settings of --kafka.properties-file, writes the windows, and never shows the secret; a
 * wrong password fails the start-up check with a message naming the file.
 */
@ExtendWith(RealInfrastructure.class)
class KafkaSecurityIT {
    @RegisterExtension static final MiniClusterExtension FLINK = JobRunner.miniCluster();

    static final String SECRET = "Kafka-S3cret-4711-do-not-print";
    static final long T0 = Instant.parse("2026-03-01T00:00:00Z").toEpochMilli();

    @Test
    void aSaslClusterIsReadWithTheSettingsOfThePropertiesFile(@TempDir Path dir) throws Exception {
        // the Kafka clients print their whole configuration at INFO: let it reach target/test.log
        org.apache.logging.log4j.core.config.Configurator.setLevel(
                "org.apache.kafka", org.apache.logging.log4j.Level.INFO);
        try {
            readSecureCluster(dir);
        } finally {
            org.apache.logging.log4j.core.config.Configurator.setLevel(
                    "org.apache.kafka", org.apache.logging.log4j.Level.WARN);
        }
        String log = Files.readString(Path.of("target/test.log"));
        assertTrue(
                log.contains("sasl.jaas.config = [hidden]"),
                "the clients' configuration was logged, so the log is worth searching");
        assertFalse(log.contains(SECRET), "the SASL secret is in target/test.log");
        io.telemetra.testing.Reliability.record(
                "Kafka SASL secret (broker accepting SASL/PLAIN only)",
                "sasl.jaas.config with a distinctive password in --kafka.properties-file",
                "the job's shown settings and parameters, the test log with the Kafka clients at"
                        + " INFO, the start-up error for a wrong password",
                "windows written through SASL; the secret appears nowhere; a wrong password"
                        + " names --kafka.properties-file");
    }

    private void readSecureCluster(Path dir) throws Exception {
        try (LocalKafka kafka =
                new LocalKafka(dir.resolve("kafka"), freePort(), freePort())
                        .withSasl("telemetra", SECRET)) {
            RealInfrastructure.resetSchema();
            kafka.start(Path.of("src/tools/log4j2-tools.properties"));
            kafka.createTopic("sasl.chat", 2);
            kafka.createTopic("sasl.viewer", 1);
            List<TestEvent> events = new ArrayList<>();
            Map<String, Object> producerProps = new HashMap<>(kafka.clientProperties());
            producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
            try (KafkaProducer<byte[], byte[]> p =
                    new KafkaProducer<>(
                            producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < 600; i++) {
                    TestEvent e =
                            TestEvent.chat(
                                    "secure",
                                    T0 + i * 500L,
                                    "u" + i % 20,
                                    TestEvent.MessageTemplate.ALL.get(i % 4));
                    events.add(e);
                    p.send(new ProducerRecord<>("sasl.chat", i % 2, null, e.json()));
                }
            }

            Path good = dir.resolve("kafka-client.properties");
            Files.writeString(
                    good,
                    "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config="
                            + ((String) kafka.clientProperties().get("sasl.jaas.config"))
                                    .replace("\\", "\\\\")
                            + "\n");
            TelemetraConfig cfg = config(kafka, good);
            assertFalse(cfg.describe().toString().contains(SECRET), "describe() hides it");
            assertFalse(cfg.toString().contains(SECRET), "toString() hides it");
            assertTrue(
                    cfg.describe().get("kafka.properties-file").contains("sasl.jaas.config"),
                    "the dashboard shows which settings came from the file");

            StreamExecutionEnvironment env = JobRunner.environment();
            TelemetraJob.build(env, cfg); // runs the start-up check against the SASL broker
            assertFalse(
                    env.getConfig().getGlobalJobParameters().toMap().toString().contains(SECRET),
                    "the job parameters the dashboard shows hold no secret");
            env.execute("sasl-replay");
            Tables.assertWindowsMatch(ExpectedWindows.compute(events), Tables.readSummaries());

            Path wrong = dir.resolve("wrong.properties");
            Files.writeString(
                    wrong, Files.readString(good).replace(SECRET, "not-the-password-0000"));
            StartupException e =
                    assertThrows(
                            StartupException.class, () -> KafkaCheck.verify(config(kafka, wrong)));
            assertTrue(
                    e.getMessage().contains("refused the job's credentials")
                            && e.getMessage().contains("--kafka.properties-file"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("not-the-password-0000"), e.getMessage());

            e =
                    assertThrows(
                            StartupException.class,
                            () ->
                                    KafkaCheck.verify(
                                            TelemetraConfig.load(
                                                    new String[] {
                                                        "--kafka.bootstrap-servers",
                                                        kafka.bootstrap(),
                                                        "--kafka.topic.chat",
                                                        "sasl.chat",
                                                        "--kafka.topic.viewer",
                                                        "sasl.viewer"
                                                    },
                                                    Map.of("POSTGRES_PASSWORD", "x")),
                                            java.time.Duration.ofSeconds(3)));
            assertTrue(e.getMessage().contains("--kafka.properties-file"), e.getMessage());
        }
    }

    @Test
    void aSecretAsAProgramArgumentIsRefused() {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                TelemetraConfig.load(
                                        new String[] {"--kafka.sasl.jaas.config", SECRET},
                                        Map.of()));
        assertTrue(e.getMessage().contains("--kafka.properties-file"), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET));
        e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                TelemetraConfig.load(
                                        new String[] {"--kafka.group.id", "g"}, Map.of()));
        assertTrue(e.getMessage().contains("use --kafka.group-id"), e.getMessage());
        // a setting that is not secret passes through and is shown
        TelemetraConfig ok =
                TelemetraConfig.load(
                        new String[] {"--kafka.client.rack", "eu-1a"},
                        Map.of("POSTGRES_PASSWORD", "x"));
        assertEquals("eu-1a", ok.kafka().client().toProperties().getProperty("client.rack"));
        assertEquals("eu-1a", ok.describe().get("kafka.client.rack"));
    }

    private static TelemetraConfig config(LocalKafka kafka, Path properties) {
        List<String> args =
                new ArrayList<>(
                        JobRunner.args("sasl.chat", "sasl.viewer").stream()
                                .map(
                                        a ->
                                                a.equals(RealInfrastructure.kafkaBootstrap())
                                                        ? kafka.bootstrap()
                                                        : a)
                                .toList());
        args.addAll(
                List.of(
                        "--kafka.properties-file",
                        properties.toString(),
                        "--mode",
                        "replay",
                        "--watermark.idleness",
                        "2s"));
        return TelemetraConfig.load(
                args.toArray(String[]::new),
                Map.of("POSTGRES_PASSWORD", RealInfrastructure.PG_PASSWORD));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
