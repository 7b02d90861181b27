package io.telemetra.upgrade;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.testing.ExpectedWindows;
import io.telemetra.testing.JobRunner;
import io.telemetra.testing.RealInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
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
 * Writes {@link GoldenSavepointTest#DIR}: runs the production job (parallelism 2, real Kafka and
 * PostgreSQL) on {@link GoldenInput}, waits until every window the input closes is in PostgreSQL,
 * and stops it with a savepoint in the canonical format. Not part of the normal test run (its name
 * matches no test pattern); run it only when a release deliberately changes its state, and keep the
 * older golden savepoints:
 *
 * <pre>mvn -B test -Dtest=RegenerateGoldenSavepoint -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
@ExtendWith(RealInfrastructure.class)
class RegenerateGoldenSavepoint {
    @RegisterExtension static final MiniClusterExtension FLINK = JobRunner.miniCluster();

    @Test
    void regenerate(@TempDir Path tmp) throws Exception {
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
                        .executeAsync("telemetra-golden-savepoint");

        long closed =
                ExpectedWindows.compute(GoldenInput.events()).keySet().stream()
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

        Path target = GoldenSavepointTest.DIR;
        if (Files.exists(target)) {
            try (Stream<Path> old = Files.walk(target)) {
                old.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(Path.of(java.net.URI.create(savepoint)))) {
            for (Path f : files.toList()) {
                Files.copy(f, target.resolve(f.getFileName()));
            }
        }
        try (Stream<Path> files = Files.walk(target)) {
            System.out.printf(
                    "golden savepoint written to %s (%d bytes, %d windows closed)%n",
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
