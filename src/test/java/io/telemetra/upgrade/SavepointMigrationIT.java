package io.telemetra.upgrade;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.TelemetraJob;
import io.telemetra.sentiment.Lexicon;
import io.telemetra.sentiment.SentimentScorer;
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

/**
 * The upgrade from 0.1.0: the golden 0.1.0 savepoint is migrated with {@link MigrateSavepoint},
 * this version's job starts from the result with the golden topics replayed to the same offsets and
 * 75 s more input after them, and every window that was open at the savepoint must come out exactly
 * as if one job had read all of the input: the part 0.1.0 aggregated is carried over, the rest is
 * added from slices.
 */
@ExtendWith(RealInfrastructure.class)
class SavepointMigrationIT {
    @RegisterExtension static final MiniClusterExtension FLINK = JobRunner.miniCluster();

    @Test
    void openWindowsOfA010SavepointSurviveTheUpgrade(@TempDir Path tmp) throws Exception {
        RealInfrastructure.resetSchema();
        // the same records at the same offsets as when the savepoint was taken, then more
        List<TestEvent> after = continuation();
        GoldenInput.produce(after);

        String migrated = tmp.resolve("migrated").toUri().toString();
        StreamExecutionEnvironment batch = StreamExecutionEnvironment.getExecutionEnvironment();
        batch.setParallelism(2);
        MigrateSavepoint.migrate(
                batch,
                GoldenSavepointTest.DIR.toAbsolutePath().toUri().toString(),
                migrated,
                Duration.ofSeconds(60),
                Duration.ofSeconds(10),
                Duration.ZERO,
                12);

        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, migrated);
        StreamExecutionEnvironment env = JobRunner.environment(restore);
        // stream mode: the restored Kafka splits keep the unbounded end they were saved with
        TelemetraJob.build(
                env,
                JobRunner.config(
                        GoldenInput.CHAT_TOPIC,
                        GoldenInput.VIEWER_TOPIC,
                        "--watermark.idleness",
                        "2s"));
        JobClient job = env.executeAsync("telemetra-after-migration");

        List<TestEvent> all = new ArrayList<>(GoldenInput.events());
        all.addAll(after);
        long watermark = after.get(after.size() - 1).timestamp() - 10_000;
        TreeMap<ExpectedWindows.Key, ExpectedWindows.Row> expected = new TreeMap<>();
        ExpectedWindows.compute(all)
                .forEach(
                        (k, row) -> {
                            // windows that fired before the savepoint were written by 0.1.0;
                            // those ending after the last event's watermark stay open
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
        Tables.assertWindowsMatch(expected, written);
        // gamma sends nothing after the upgrade: its open windows fire only by the carried timers
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
        SentimentScorer scorer = new SentimentScorer(Lexicon.builtIn());
        List<TestEvent.MessageTemplate> now = new ArrayList<>();
        for (TestEvent.MessageTemplate t : GoldenInput.MESSAGES) {
            now.add(
                    new TestEvent.MessageTemplate(
                            t.text(), t.emotesField(), scorer.score(t.text()), t.emotes()));
        }
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
