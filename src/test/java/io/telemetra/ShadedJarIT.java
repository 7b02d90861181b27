package io.telemetra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.testing.JobRunner;
import io.telemetra.testing.RealInfrastructure;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product itself: target/telemetra.jar submitted with Flink's own CLI ({@code flink run}, local
 * target) from a JVM that has only Flink's jars, as on a cluster, so a class missing from the
 * shaded jar or clashing with Flink's fails here. Runs after packaging (failsafe, phase
 * integration-test).
 */
@ExtendWith(RealInfrastructure.class)
class ShadedJarIT {
    @Test
    void flinkRunOfTheShadedJarReplaysTheTopicsAndExitsZero(@TempDir Path dir) throws Exception {
        Path jar = JobRunner.shadedJar();
        RealInfrastructure.resetSchema();
        RealInfrastructure.createTopic("jar.chat", 2);
        RealInfrastructure.createTopic("jar.viewer", 1);
        try (KafkaProducer<byte[], byte[]> p = RealInfrastructure.producer()) {
            for (int i = 0; i < 120; i++) {
                String json =
                        "{\"stream_id\":\"jar\",\"user_id\":\"u"
                                + (i % 9)
                                + "\",\"message\":\"LUL great\","
                                + "\"timestamp\":"
                                + (1_767_225_600_000L + i * 1000L)
                                + "}";
                p.send(
                        new ProducerRecord<>(
                                "jar.chat", i % 2, null, json.getBytes(StandardCharsets.UTF_8)));
            }
            p.send(new ProducerRecord<>("jar.viewer", "not json".getBytes(StandardCharsets.UTF_8)));
        }
        Files.writeString(dir.resolve("config.yaml"), "parallelism:\n  default: 2\n");

        // this JVM's class path minus the project's classes and what the job jar shades in (Kafka
        // client and connector, JDBC connector, PostgreSQL driver, DataSketches, Jackson), as on a
        // cluster
        String flinkOnly =
                Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                        .filter(
                                e ->
                                        !e.endsWith("classes")
                                                && !e.matches(
                                                        ".*/(org/apache/kafka|org/postgresql|org/apache/"
                                                            + "datasketches|io/zonky|org/scala-lang|com/fasterxml)/.*")
                                                && !e.matches(".*flink-connector-(jdbc|kafka).*"))
                        .collect(Collectors.joining(File.pathSeparator));
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                ProcessHandle.current().info().command().orElse("java"),
                                "--add-opens=java.base/java.util=ALL-UNNAMED",
                                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                                "-cp",
                                flinkOnly,
                                "org.apache.flink.client.cli.CliFrontend",
                                "run",
                                "-t",
                                "local",
                                jar.toString(),
                                "--mode",
                                "replay"));
        cmd.addAll(JobRunner.args("jar.chat", "jar.viewer"));
        ProcessBuilder pb =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("flink-run.txt").toFile());
        pb.environment().put("FLINK_CONF_DIR", dir.toString());
        pb.environment().put("POSTGRES_PASSWORD", RealInfrastructure.PG_PASSWORD);
        Process run = pb.start();
        assertTrue(run.waitFor(180, TimeUnit.SECONDS), "flink run finished");
        String output = Files.readString(dir.resolve("flink-run.txt"));
        assertEquals(0, run.exitValue(), output);
        // the replay's progress, and at the end every record it was to read, read
        Matcher done =
                Pattern.compile(
                                "replay finished: chat ([\\d,]+) of ([\\d,]+) records \\(100\\.0"
                                        + " %\\), viewer ([\\d,]+) of ([\\d,]+) records \\(100\\.0"
                                        + " %\\)")
                        .matcher(output);
        assertTrue(done.find(), output);
        assertEquals(done.group(1), done.group(2), "chat records read vs to read");
        assertEquals(done.group(3), done.group(4), "viewer records read vs to read");
        assertTrue(!done.group(2).equals("0") && !done.group(4).equals("0"), done.group());

        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement()) {
            ResultSet rs =
                    st.executeQuery(
                            "SELECT count(*), max(chat_count) FROM chat_summary_minute WHERE"
                                    + " stream_id = 'jar'");
            rs.next();
            // 120 s of events: windows starting at -50 s .. 110 s, each full window holding 60
            // messages
            assertEquals(17, rs.getInt(1));
            assertEquals(60, rs.getInt(2));
            rs =
                    st.executeQuery(
                            "SELECT reason FROM rejected_events WHERE source_topic = 'jar.viewer'");
            assertTrue(rs.next());
            assertEquals("not_json", rs.getString(1));
        }
    }
}
