package io.telemetra.upgrade;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.testing.ExpectedWindows;
import io.telemetra.testing.JobRunner;
import io.telemetra.testing.RealInfrastructure;
import io.telemetra.testing.TestEvent;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes the golden savepoint of the version in the pom into {@code savepoints/<version>/}: runs
 * the production job (parallelism 2, real Kafka and PostgreSQL) on {@link GoldenInput}, waits until
 * every window the input closes is in PostgreSQL, and stops it with a savepoint in the canonical
 * format. It only ever creates a new version's folder: a released version's savepoint is a fact
 * that later versions must keep restoring, so an existing folder is never replaced.
 *
 * <p>Not part of the normal test run (its name matches no test pattern). Run it once per release,
 * before the release's state changes are built upon:
 *
 * <pre>./mvnw -B test -Dtest=WriteGoldenSavepoint -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
@ExtendWith(RealInfrastructure.class)
class WriteGoldenSavepoint {
    @RegisterExtension static final MiniClusterExtension FLINK = JobRunner.miniCluster();

    @Test
    void write(@TempDir Path tmp) throws Exception {
        String version = GoldenSavepoints.currentVersion();
        Path target = GoldenSavepoints.dir(version);
        if (Files.exists(target)) {
            throw new IllegalStateException(
                    target
                            + " exists: the golden savepoint of "
                            + version
                            + " was written when it was released and is never replaced. Give the"
                            + " new release its own version in pom.xml, then run this again.");
        }

        // the scores this version's scorer gives the golden messages: facts about the saved state
        List<TestEvent.MessageTemplate> messages = GoldenInput.scoredByThisVersion();

        RealInfrastructure.resetSchema();
        GoldenInput.produce(List.of());
        JobClient job =
                JobRunner.build(
                                JobRunner.config(
                                        GoldenInput.CHAT_TOPIC,
                                        GoldenInput.VIEWER_TOPIC,
                                        "--kafka.starting-offsets",
                                        "earliest",
                                        "--watermark.idleness",
                                        "2s"))
                        .executeAsync("telemetra-golden-savepoint-" + version);

        long closed =
                ExpectedWindows.compute(GoldenInput.events(messages)).keySet().stream()
                        .filter(k -> k.windowStart() + 60_000 <= GoldenInput.LAST_FIRED_END)
                        .count();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (windowRows() < closed) {
            assertTrue(System.nanoTime() < deadline, "windows of the golden input not written");
            Thread.sleep(500);
        }
        String savepoint =
                job.stopWithSavepoint(false, tmp.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get();

        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(Path.of(URI.create(savepoint)))) {
            for (Path f : files.toList()) {
                Files.copy(f, target.resolve(f.getFileName()));
            }
        }
        GoldenSavepoints.writeMessages(target, messages);
        try (Stream<Path> files = Files.walk(target)) {
            System.out.printf(
                    "golden savepoint of %s written to %s (%d bytes, %d windows closed)%n",
                    version,
                    target,
                    files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum(),
                    closed);
        }
    }

    private static long windowRows() throws Exception {
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM chat_summary_minute")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
