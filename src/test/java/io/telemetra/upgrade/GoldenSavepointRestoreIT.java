package io.telemetra.upgrade;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.TelemetraJob;
import io.telemetra.testing.ExpectedWindows;
import io.telemetra.testing.JobRunner;
import io.telemetra.testing.RealInfrastructure;
import io.telemetra.testing.Tables;
import io.telemetra.testing.TestEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every release's golden savepoint ({@code savepoints/<version>/}) restores into this version's
 * job: the golden topics are replayed to the same offsets with 75 s more input after them, the job
 * starts from the savepoint (0.1.0's is first migrated with {@link MigrateSavepoint}), and every
 * window that was open at the savepoint must come out exactly as if one job had read all of the
 * input: the part the old version aggregated is carried over, the rest is added after the upgrade.
 */
@ExtendWith(RealInfrastructure.class)
class GoldenSavepointRestoreIT {
    @RegisterExtension static final MiniClusterExtension FLINK = JobRunner.miniCluster();

    static List<String> versions() throws Exception {
        return GoldenSavepoints.versions();
    }

    @Test
    void theCurrentVersionHasAGoldenSavepoint() throws Exception {
        assertTrue(
                versions().contains(GoldenSavepoints.currentVersion()),
                "no savepoints/"
                        + GoldenSavepoints.currentVersion()
                        + "; write it with WriteGoldenSavepoint before the release");
    }

    @ParameterizedTest(name = "savepoint of {0}")
    @MethodSource("versions")
    void openWindowsOfAGoldenSavepointSurviveTheUpgrade(String version, @TempDir Path tmp)
            throws Exception {
        RealInfrastructure.resetSchema();
        // the same records at the same offsets as when the savepoint was taken, then more
        List<TestEvent> after = continuation();
        GoldenInput.produce(after);

        String savepoint = GoldenSavepoints.dir(version).toAbsolutePath().toUri().toString();
        if (version.equals(GoldenSavepoints.FIRST_RELEASE)) {
            String migrated = tmp.resolve("migrated").toUri().toString();
            StreamExecutionEnvironment batch = StreamExecutionEnvironment.getExecutionEnvironment();
            batch.setParallelism(2);
            MigrateSavepoint.migrate(
                    batch,
                    savepoint,
                    migrated,
                    Duration.ofSeconds(60),
                    Duration.ofSeconds(10),
                    Duration.ZERO,
                    12);
            savepoint = migrated;
        }

        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        StreamExecutionEnvironment env = JobRunner.environment(restore);
        // stream mode: the restored Kafka splits keep the unbounded end they were saved with
        TelemetraJob.build(
                env,
                JobRunner.config(
                        GoldenInput.CHAT_TOPIC,
                        GoldenInput.VIEWER_TOPIC,
                        "--watermark.idleness",
                        "2s"));
        JobClient job = env.executeAsync("telemetra-after-" + version);

        List<TestEvent> all =
                new ArrayList<>(GoldenInput.events(GoldenSavepoints.messages(version)));
        all.addAll(after);
        long watermark = after.get(after.size() - 1).timestamp() - 10_000;
        TreeMap<ExpectedWindows.Key, ExpectedWindows.Row> expected = new TreeMap<>();
        ExpectedWindows.compute(all)
                .forEach(
                        (k, row) -> {
                            // windows that fired before the savepoint were written by the old
                            // version; those ending after the last event's watermark stay open
                            long end = k.windowStart() + ExpectedWindows.SIZE;
                            if (end > GoldenInput.LAST_FIRED_END && end <= watermark) {
                                expected.put(k, row);
                            }
                        });
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!Tables.readSummaries().keySet().containsAll(expected.keySet())) {
            assertTrue(System.nanoTime() < deadline, "windows after the upgrade not written");
            Thread.sleep(500);
        }
        job.cancel().get();
        TreeMap<ExpectedWindows.Key, ExpectedWindows.Row> written = Tables.readSummaries();
        // nothing from before the savepoint is written again: those windows fired in the old job
        assertFalse(
                written.keySet().stream()
                        .anyMatch(
                                k ->
                                        k.windowStart() + ExpectedWindows.SIZE
                                                <= GoldenInput.LAST_FIRED_END),
                "a window that had fired before the savepoint was written again");
        Tables.assertWindowsMatch(expected, written);
        // gamma sends nothing after the upgrade: its open windows fire only by the restored timers
        assertTrue(expected.keySet().stream().anyMatch(k -> k.streamId().equals("gamma")));
    }

    @Test
    void aSavepointWithoutTheOldWindowsIsRefusedWithWhatToDo(@TempDir Path tmp) {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                MigrateSavepoint.migrate(
                                        StreamExecutionEnvironment.getExecutionEnvironment(),
                                        tmp.toUri().toString(),
                                        tmp.resolve("out").toUri().toString(),
                                        Duration.ofSeconds(60),
                                        Duration.ofSeconds(10),
                                        Duration.ZERO,
                                        12));
        assertTrue(e.getMessage().contains("cannot read a savepoint at"), e.getMessage());
    }

    /**
     * 75 s more of the same three streams. Their sentiment is whatever this version's lexicon gives
     * (scoring is tested elsewhere; this test is about the carried state).
     */
    static List<TestEvent> continuation() {
        List<TestEvent.MessageTemplate> now = GoldenInput.scoredByThisVersion();
        List<TestEvent> out = new ArrayList<>();
        long from = GoldenInput.LAST_EVENT + 500 - GoldenInput.T0;
        for (long ms = from; ms <= from + 75_000; ms += 500) {
            int i = (int) (ms / 500);
            out.add(TestEvent.chat("alpha", GoldenInput.T0 + ms, "a" + (i % 10), now.get(i % 3)));
            if (ms % 1000 == 0) {
                out.add(
                        TestEvent.chat(
                                "beta", GoldenInput.T0 + ms, "b" + (i % 40), now.get(i % 2)));
            }
            if (ms % 10_000 == 0) {
                out.add(TestEvent.viewers("alpha", GoldenInput.T0 + ms, 2000 + ms / 1000));
            }
        }
        return out;
    }
}
