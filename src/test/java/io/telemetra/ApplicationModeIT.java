package io.telemetra;

import static io.telemetra.SessionClusterIT.T0;
import static io.telemetra.SessionClusterIT.produce;
import static io.telemetra.SessionClusterIT.stopWithSavepoint;
import static io.telemetra.SessionClusterIT.waitFor;
import static io.telemetra.SessionClusterIT.windowsEndingBy;
import static io.telemetra.testing.FlinkSessionCluster.get;
import static io.telemetra.testing.FlinkSessionCluster.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.testing.FlinkSessionCluster;
import io.telemetra.testing.JobRunner;
import io.telemetra.testing.RealInfrastructure;
import io.telemetra.testing.TestEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Application mode for real: scripts/flink-cluster.sh start-application runs the shaded jar from
 * the cluster's usrlib/ with StandaloneApplicationClusterEntryPoint (no flink run), against real
 * Kafka and PostgreSQL. The JobManager is killed with SIGKILL and started again without HA: the
 * script resumes the job from its newest retained checkpoint. Then the job is stopped with a
 * savepoint and the application started again from it. Every window that closed must be there once,
 * with the counts an uninterrupted run gives.
 */
@ExtendWith(RealInfrastructure.class)
class ApplicationModeIT {
    static final String JOB = "7e1e3e7a0000000000000000000000a1"; // flink-cluster.sh's default

    @AfterAll
    static void stopCluster() throws Exception {
        FlinkSessionCluster.stop();
    }

    @Test
    void runsFromUsrlibSurvivesAJobManagerKillAndResumesFromASavepoint(@TempDir Path dir)
            throws Exception {
        RealInfrastructure.resetSchema();
        RealInfrastructure.createTopic("app.chat", 2);
        RealInfrastructure.createTopic("app.viewer", 1);
        Path checkpoints = dir.resolve("checkpoints");
        List<TestEvent> all = new ArrayList<>();
        produce(all, "app.chat", 0, 300, 2);

        start(dir, "first", null);
        waitFor("windows up to 4 min written", () -> windowsEndingBy(T0 + 240_000) >= 24);
        waitFor(
                "a retained checkpoint",
                () -> Files.exists(checkpoints.resolve(JOB)) && hasCompleteCheckpoint(checkpoints));

        FlinkSessionCluster.killJobManager();
        produce(all, "app.chat", 300, 420, 2); // while the JobManager is gone
        Path restarted = dir.resolve("start-jobmanager.txt");
        assertEquals(
                0,
                sh(List.of("scripts/flink-cluster.sh", "start-jobmanager"), restarted, 60),
                Files.readString(restarted));
        assertTrue(
                Files.readString(restarted)
                        .contains("resuming job " + JOB + " from its latest retained checkpoint"),
                Files.readString(restarted));
        waitFor(
                "the job RUNNING again under the new JobManager",
                () -> get("/jobs/" + JOB).contains("\"state\":\"RUNNING\""));
        waitFor("windows up to 6 min written", () -> windowsEndingBy(T0 + 360_000) >= 36);

        String savepoint = stopWithSavepoint(dir, JOB, "app");
        // the application cluster ends with its job; the TaskManager is stopped with it
        FlinkSessionCluster.stop();
        produce(all, "app.chat", 420, 540, 2);
        start(dir, "from-savepoint", savepoint);
        waitFor("windows up to 8 min written", () -> windowsEndingBy(T0 + 480_000) >= 48);

        SessionClusterIT.assertEveryWindowOnce(
                all, T0 + 480_000, "across the JobManager kill and the savepoint");
        io.telemetra.testing.Reliability.record(
                "JobManager killed (SIGKILL), application mode",
                "kill -9 of the application cluster's JobManager mid-stream; started again without"
                        + " HA from the newest retained checkpoint; then stop with a savepoint and"
                        + " a new application cluster from it",
                "every closed window vs an independent reference",
                "no window missing or duplicated");
    }

    private static boolean hasCompleteCheckpoint(Path checkpoints) throws Exception {
        try (var dirs = Files.list(checkpoints.resolve(JOB))) {
            return dirs.anyMatch(
                    d ->
                            d.getFileName().toString().startsWith("chk-")
                                    && Files.exists(d.resolve("_metadata")));
        }
    }

    private static void start(Path dir, String name, String savepoint) throws Exception {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                "scripts/flink-cluster.sh",
                                "start-application",
                                JobRunner.shadedJar().toString()));
        if (savepoint != null) {
            cmd.addAll(List.of("--from-savepoint", savepoint));
        }
        cmd.addAll(
                List.of(
                        "--",
                        "--kafka.bootstrap-servers",
                        RealInfrastructure.kafkaBootstrap(),
                        "--kafka.topic.chat",
                        "app.chat",
                        "--kafka.topic.viewer",
                        "app.viewer",
                        "--kafka.group-id",
                        "app-it",
                        "--kafka.starting-offsets",
                        "earliest",
                        "--postgres.url",
                        RealInfrastructure.postgresUrl(),
                        "--postgres.user",
                        RealInfrastructure.PG_USER,
                        "--checkpoint.interval",
                        "1s",
                        "--checkpoint.dir",
                        dir.resolve("checkpoints").toUri().toString(),
                        "--watermark.idleness",
                        "2s"));
        Path out = dir.resolve("start-" + name + ".txt");
        assertEquals(0, sh(cmd, out, 300), Files.readString(out));
    }
}
