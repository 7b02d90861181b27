package io.telemetra.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
        assertEquals("telemetra.events.chat", c.kafka().chatTopic());
        assertEquals("telemetra.events.viewer", c.kafka().viewerTopic());
        assertEquals(Duration.ofSeconds(60), c.windows().size());
        assertEquals(Duration.ofSeconds(10), c.windows().slide());
        assertEquals(Duration.ofSeconds(10), c.eventTime().watermarkDelay());
        assertEquals(3.0, c.moments().chatThreshold());
        assertEquals(10, c.moments().history());
        assertEquals(TelemetraConfig.Delivery.EXACTLY_ONCE, c.postgres().delivery());
        assertEquals(TelemetraConfig.StartingOffsets.COMMITTED, c.kafka().startingOffsets());
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
        assertEquals("kafka:9092", c.kafka().bootstrapServers());
        assertEquals("jdbc:postgresql://pg:5432/telemetra", c.postgres().url());
        assertEquals("tm", c.postgres().user());
        assertEquals("s3cret", c.postgres().password().value());
        assertEquals(2.5, c.moments().chatThreshold());
        assertEquals(Duration.ofSeconds(5), c.eventTime().watermarkDelay());
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
        assertEquals(4.0, c.moments().chatThreshold());
        assertEquals(TelemetraConfig.Mode.REPLAY, c.mode());
        assertEquals(
                TelemetraConfig.StartingOffsets.EARLIEST,
                c.kafka().startingOffsets(),
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
        String expiry =
                failure(Map.of(), "--anomaly.history", "60", "--moments.state-expiry", "5min");
        assertTrue(expiry.contains("at least") && expiry.contains("= 10min"), expiry);
    }

    @Test
    void passwordIsNeverAProgramArgumentNorInTheUrl() {
        assertTrue(
                failure(Map.of(), "--postgres.password", "x")
                        .contains("visible in the Flink dashboard"));
        assertTrue(
                failure(Map.of(), "--postgres.url", "jdbc:postgresql://h/db?password=x")
                        .contains("contains a password"));
        // the rejected URL holds the password: the message must not repeat it
        assertFalse(
                failure(Map.of(), "--postgres.url", "jdbc:mysql://h/db?password=hunter2")
                        .contains("hunter2"));
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
        assertEquals("from-file-secret", c.postgres().password().value());
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

    @Test
    void theDashboardSeesEveryOptionThatHasAValueInTheSyntaxUsersWrite() {
        TelemetraConfig c =
                load(
                        Map.of(),
                        "--checkpoint.dir",
                        "file:///tmp/cp",
                        "--sentiment.lexicon",
                        "/tmp/lexicon.tsv",
                        "--window.size",
                        "2min",
                        "--watermark.max-future-skew",
                        "300s",
                        "--kafka.client.rack",
                        "eu-1a");
        Map<String, String> shown = c.describe();
        for (Option o : Option.values()) {
            if (o.defaultValue() != null) {
                assertTrue(
                        shown.containsKey(o.argName()), o.argName() + " missing from describe()");
            }
        }
        assertEquals("file:///tmp/cp", shown.get("checkpoint.dir"));
        assertEquals("/tmp/lexicon.tsv", shown.get("sentiment.lexicon"));
        assertEquals("5min", shown.get("watermark.max-future-skew"));
        assertEquals("2min", shown.get("window.size"));
        assertEquals("committed", shown.get("kafka.starting-offsets"));
        assertEquals("eu-1a", shown.get("kafka.client.rack"));
        assertFalse(shown.toString().contains("PT"), shown.toString());
    }

    @Test
    void durationsUseFlinksSyntaxEverywhereAndNeedAUnit() {
        TelemetraConfig c =
                load(Map.of("WATERMARK_DELAY", "1500 ms"), "--anomaly.cooldown", "1min");
        assertEquals(Duration.ofMillis(1500), c.eventTime().watermarkDelay());
        assertEquals(6, c.moments().cooldownWindows());
        // the Spark job's spelling keeps working
        assertEquals(
                Duration.ofSeconds(10),
                load(Map.of("WATERMARK_DELAY", "10 seconds")).eventTime().watermarkDelay());
        String bare = failure(Map.of(), "--window.slide", "10");
        assertTrue(bare.contains("is not a duration") && bare.contains("10s"), bare);
        String multiple = failure(Map.of(), "--window.size", "65s");
        assertTrue(multiple.contains("= 65s") && multiple.contains("= 10s"), multiple);
        assertFalse(multiple.contains("PT"), multiple);
    }

    @Test
    void theSavepointMigratorReadsTheJobsDeclarations() {
        CommandLine v =
                new CommandLine(
                        new String[] {"--window.size", "2min"},
                        List.of(Option.WINDOW_SIZE, Option.WINDOW_SLIDE));
        assertEquals(Duration.ofMinutes(2), v.get(Option.WINDOW_SIZE));
        assertEquals(Duration.ofSeconds(10), v.get(Option.WINDOW_SLIDE));
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                new CommandLine(
                                                new String[] {"--window.slide", "soon"},
                                                List.of(Option.WINDOW_SLIDE))
                                        .get(Option.WINDOW_SLIDE));
        assertTrue(e.getMessage().startsWith("--window.slide (env WINDOW_SLIDE) = 'soon'"));
    }

    @Test
    void theOptionTableInTheDocsIsGeneratedFromTheDeclarations() throws Exception {
        Path doc = Path.of("docs/configuration.md");
        String text = Files.readString(doc);
        String begin = "<!-- options:begin -->\n";
        String end = "<!-- options:end -->";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        assertTrue(from >= 0 && to > from, doc + " needs the options:begin/end markers");
        String expected = TelemetraConfig.markdownTable();
        if (Boolean.getBoolean("telemetra.update-docs")) {
            Files.writeString(
                    doc, text.substring(0, from + begin.length()) + expected + text.substring(to));
            return;
        }
        assertEquals(
                expected,
                text.substring(from + begin.length(), to),
                doc
                        + " differs from the Option declarations; regenerate it with: ./mvnw -B"
                        + " test -Dtest=TelemetraConfigTest -Dtelemetra.update-docs=true");
    }

    @Test
    void everyKafkaPropertyThatHoldsASecretIsRefusedAsAnArgument() {
        for (String secret :
                List.of(
                        "ssl.key.password",
                        "ssl.keystore.password",
                        "ssl.truststore.password",
                        "ssl.keystore.key",
                        "ssl.keystore.certificate.chain",
                        "ssl.truststore.certificates",
                        "sasl.jaas.config",
                        "sasl.oauthbearer.client.credentials.client.secret",
                        "my.plugin.password",
                        "my.plugin.key")) {
            String msg = failure(Map.of(), "--kafka." + secret, "hunter2");
            assertTrue(msg.contains("holds a secret"), secret + ": " + msg);
            assertFalse(msg.contains("hunter2"), secret + ": " + msg);
        }
        // paths to key stores are not secrets: they pass through and are shown
        TelemetraConfig c = load(Map.of(), "--kafka.ssl.keystore.location", "/etc/kafka/ks.p12");
        assertEquals("/etc/kafka/ks.p12", c.describe().get("kafka.ssl.keystore.location"));
    }
}
