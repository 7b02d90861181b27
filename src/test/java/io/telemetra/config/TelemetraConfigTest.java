package io.telemetra.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TelemetraConfigTest {
    private static TelemetraConfig load(Map<String, String> env, String... args) {
        return TelemetraConfig.load(args, env);
    }

    private static String failure(Map<String, String> env, String... args) {
        return assertThrows(ConfigException.class, () -> TelemetraConfig.load(args, env))
                .getMessage();
    }

    @Test
    void defaultsMatchTheSparkJobsContract() {
        TelemetraConfig c = load(Map.of());
        assertEquals(TelemetraConfig.Mode.STREAM, c.mode());
        assertEquals("telemetra.events.chat", c.chatTopic());
        assertEquals("telemetra.events.viewer", c.viewerTopic());
        assertEquals(Duration.ofSeconds(60), c.windowSize());
        assertEquals(Duration.ofSeconds(10), c.windowSlide());
        assertEquals(Duration.ofSeconds(10), c.watermarkDelay());
        assertEquals(3.0, c.anomalyThreshold());
        assertEquals(10, c.anomalyHistory());
        assertEquals(TelemetraConfig.Delivery.EXACTLY_ONCE, c.delivery());
        assertEquals(TelemetraConfig.StartingOffsets.COMMITTED, c.startingOffsets());
        assertEquals(Duration.ofSeconds(10), c.checkpointInterval());
    }

    @Test
    void environmentVariablesOfTheSparkJobAreRead() {
        TelemetraConfig c =
                load(
                        Map.of(
                                "KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
                                "POSTGRES_URL", "jdbc:postgresql://pg:5432/telemetra",
                                "POSTGRES_USER", "tm",
                                "POSTGRES_PASSWORD", "s3cret",
                                "ANOMALY_THRESHOLD", "2.5",
                                "WATERMARK_DELAY", "5 seconds",
                                "CHECKPOINT_LOCATION", "file:///tmp/cp"));
        assertEquals("kafka:9092", c.kafkaBootstrapServers());
        assertEquals("jdbc:postgresql://pg:5432/telemetra", c.postgresUrl());
        assertEquals("tm", c.postgresUser());
        assertEquals("s3cret", c.postgresPassword().value());
        assertEquals(2.5, c.anomalyThreshold());
        assertEquals(Duration.ofSeconds(5), c.watermarkDelay());
        assertEquals("file:///tmp/cp", c.checkpointLocation());
    }

    @Test
    void programArgumentsOverrideTheEnvironment() {
        TelemetraConfig c =
                load(
                        Map.of("ANOMALY_THRESHOLD", "2.5"),
                        "--anomaly.threshold",
                        "4",
                        "--mode=replay");
        assertEquals(4.0, c.anomalyThreshold());
        assertEquals(TelemetraConfig.Mode.REPLAY, c.mode());
        assertEquals(
                TelemetraConfig.StartingOffsets.EARLIEST,
                c.startingOffsets(),
                "replay reads from the start");
    }

    @Test
    void wrongValuesNameTheOptionTheValueAndWhatIsAllowed() {
        assertEquals(
                "--anomaly.threshold (env ANOMALY_THRESHOLD) = 'high' is not a number",
                failure(Map.of("ANOMALY_THRESHOLD", "high")));
        assertEquals(
                "--anomaly.threshold (env ANOMALY_THRESHOLD) = '-1' is out of range; allowed: (0.0,"
                        + " 1000.0]",
                failure(Map.of(), "--anomaly.threshold", "-1"));
        assertEquals(
                "--sink.delivery (env SINK_DELIVERY) = 'maybe' is not allowed; use one of:"
                        + " exactly-once, at-least-once",
                failure(Map.of(), "--sink.delivery", "maybe"));
        assertTrue(
                failure(Map.of(), "--watermark.delay", "10")
                        .contains("write a whole number with a unit"),
                "a bare number is ambiguous (ms? s?) and refused");
        assertTrue(
                failure(Map.of(), "--window.size", "65s")
                        .contains("whole multiple of --window.slide"));
        assertTrue(
                failure(Map.of(), "--no-such-option", "1")
                        .startsWith("unknown option --no-such-option"));
        assertTrue(
                failure(Map.of(), "--postgres.url", "mysql://x")
                        .contains("is not a PostgreSQL JDBC URL"));
        assertTrue(
                failure(Map.of(), "--kafka.topic.viewer", "telemetra.events.chat")
                        .contains("topics of their own"));
        assertTrue(failure(Map.of(), "--anomaly.history", "1").contains("allowed: 2 to 1000"));
    }

    @Test
    void passwordIsNeverAProgramArgumentNorInTheUrl() {
        assertTrue(
                failure(Map.of(), "--postgres.password", "x")
                        .contains("visible in the Flink dashboard"));
        assertTrue(
                failure(Map.of(), "--postgres.url", "jdbc:postgresql://h/db?password=x")
                        .contains("contains a password"));
    }

    @Test
    void passwordComesFromAFileAndIsNeverPrinted(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pw");
        Files.writeString(file, "from-file-secret\n");
        TelemetraConfig c =
                load(
                        Map.of("POSTGRES_PASSWORD", "env-secret"),
                        "--postgres.password-file",
                        file.toString());
        assertEquals("from-file-secret", c.postgresPassword().value());
        assertFalse(c.toString().contains("from-file-secret"));
        assertFalse(c.describe().toString().contains("from-file-secret"));
        assertTrue(
                failure(Map.of(), "--postgres.password-file", dir.resolve("missing").toString())
                        .contains("cannot be read"));
    }

    @Test
    void helpListsEveryOptionWithItsEnvironmentVariable() {
        String help = TelemetraConfig.help();
        for (Option o : Option.values()) {
            assertTrue(help.contains("--" + o.argName()) && help.contains(o.envName()), o.name());
        }
    }
}
