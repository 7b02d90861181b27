package io.telemetra.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.testing.FailureScenario;
import io.telemetra.testing.FlinkSessionCluster;
import io.telemetra.testing.JobRunner;
import io.telemetra.testing.RealInfrastructure;
import io.telemetra.testing.Reliability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Guarantee (c) of the exactly-once sink, on a real session cluster: the TaskManager process is
 * killed with SIGKILL while a checkpoint is pending after the sink passed its barrier, a new
 * TaskManager is started, and the job restores the previous checkpoint and replays. The same test
 * runs against our sink and the two negative controls ({@link
 * ExactlyOnceGuaranteeIT.SinkUnderTest}) with {@link GuaranteeJob}, whose table has no key, so a
 * replayed row shows as a duplicate.
 *
 * <p>Ours must leave every id exactly once and must have had a transaction in pg_prepared_xacts at
 * the kill (looked up after the process is gone, when nothing of the job can commit it any more);
 * the controls must be seen to violate exactly-once.
 */
@ExtendWith(RealInfrastructure.class)
class TaskManagerKillIT {
    @BeforeAll
    static void startCluster() throws Exception {
        FlinkSessionCluster.start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        FlinkSessionCluster.stop();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ExactlyOnceGuaranteeIT.SinkUnderTest.class)
    void aTaskManagerKilledWhileACheckpointIsPendingLeavesEveryRowOnce(
            ExactlyOnceGuaranteeIT.SinkUnderTest sink, @TempDir Path dir) throws Exception {
        ExactlyOnceGuaranteeIT.emptyTable();
        Path files = Files.createDirectories(dir.resolve("gate"));
        String job = submit(sink, files, dir);

        FailureScenario.waitFor(
                "a checkpoint held by the gate",
                Duration.ofMinutes(2),
                () -> Files.exists(files.resolve("held")));
        long held = GuaranteeJob.read(files.resolve("held"));
        long restoreTo = GuaranteeJob.read(files.resolve("last-" + (held - 1)));
        long epochEnd = GuaranteeJob.read(files.resolve("last-" + held));
        long visibleAtKill = ExactlyOnceGuaranteeIT.count("id > " + restoreTo);

        FlinkSessionCluster.killTaskManager();
        // the TaskManager is gone: whatever is prepared now was prepared at the kill
        int preparedAtKill = ExactlyOnceGuaranteeIT.prepared().size();
        FlinkSessionCluster.startTaskManager(dir);
        FailureScenario.waitFor(
                "job " + job + " FINISHED after the restore",
                Duration.ofMinutes(3),
                () -> FlinkSessionCluster.get("/jobs/" + job).contains("\"state\":\"FINISHED\""));

        List<String> restored = Files.readAllLines(files.resolve("restored"));
        assertEquals(
                List.of(Long.toString(restoreTo)),
                restored,
                "one restore, from checkpoint " + (held - 1));
        String wrong = ExactlyOnceGuaranteeIT.duplicatesAndMissing();
        boolean violated = !wrong.isEmpty();
        String detail =
                "checkpoint "
                        + held
                        + " (ids "
                        + (restoreTo + 1)
                        + ".."
                        + epochEnd
                        + ") pending when the TaskManager was killed, with "
                        + visibleAtKill
                        + " of its rows visible and "
                        + preparedAtKill
                        + " transaction(s) in pg_prepared_xacts after the kill; restored from"
                        + " checkpoint "
                        + (held - 1)
                        + " on a new TaskManager; "
                        + (violated
                                ? wrong
                                : "all " + ExactlyOnceGuaranteeIT.ROWS + " ids exactly once");
        System.out.println("GUARANTEE taskmanager-kill sink=" + sink.label + " (" + detail + ")");
        Reliability.record(
                "guarantee exactly-once-after-taskmanager-kill, sink " + sink.label,
                "SIGKILL of the TaskManager process of a session cluster while a checkpoint is"
                        + " pending after the sink's barrier; a new TaskManager",
                "plain-INSERT table; pg_prepared_xacts at the kill",
                (violated ? "violated" : "held")
                        + (sink.expectViolation() ? " (negative control)" : "")
                        + ": "
                        + detail);
        assertEquals(sink.expectViolation(), violated, detail);
        if (!sink.expectViolation()) {
            assertTrue(preparedAtKill > 0, "killed while a transaction was prepared: " + detail);
            assertEquals(List.of(), ExactlyOnceGuaranteeIT.prepared(), "left prepared");
        }
    }

    private static String submit(ExactlyOnceGuaranteeIT.SinkUnderTest sink, Path files, Path dir)
            throws Exception {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                "scripts/flink",
                                "run",
                                "-d",
                                "-C",
                                Path.of("target/test-classes").toAbsolutePath().toUri().toString(),
                                "-c",
                                GuaranteeJob.class.getName(),
                                JobRunner.shadedJar().toString(),
                                sink.name(),
                                files.toString(),
                                RealInfrastructure.postgresUrl(),
                                RealInfrastructure.PG_USER));
        Path out = dir.resolve("run.txt");
        assertEquals(0, FlinkSessionCluster.sh(cmd, out, 120), Files.readString(out));
        Matcher m = Pattern.compile("JobID ([0-9a-f]{32})").matcher(Files.readString(out));
        assertTrue(m.find(), Files.readString(out));
        return m.group(1);
    }
}
