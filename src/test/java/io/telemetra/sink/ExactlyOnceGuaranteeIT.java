package io.telemetra.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.config.TelemetraConfig;
import io.telemetra.testing.JobRunner;
import io.telemetra.testing.RealInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExactlyOnceOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The exactly-once guarantee of {@link PostgresTwoPhaseSink}, proved in a running Flink job against
 * a real PostgreSQL, and shown to be what the other PostgreSQL sinks lack: the same test runs
 * against our sink and two negative controls, flink-connector-jdbc's at-least-once sink and its XA
 * "exactly-once" sink (both as Telemetra builds them, through {@link PatchedJdbcSink}, which keeps
 * the connector's commit timing). Our sink must keep each property; each control must be seen to
 * break it.
 *
 * <ol>
 *   <li><b>visibility-before-completion</b>: no row of a checkpoint's epoch is visible before that
 *       checkpoint completes.
 *   <li><b>exactly-once-after-declined-checkpoint</b>: when a checkpoint is declined after the sink
 *       has passed its barrier, and the job restores the previous checkpoint and replays, every row
 *       ends up in the table exactly once.
 * </ol>
 *
 * <p>The job is {@link GuaranteeJob} (parallelism 1): a generator of ids 1..{@value #ROWS}, one
 * burst of {@value #BURST} per completed checkpoint, chained to a recorder and the sink under test,
 * which inserts into a table without a key (a replayed row shows as a duplicate); a gate holds one
 * checkpoint in its snapshot until the test lets it complete or decline. Flink snapshots a chain
 * from its tail, so when the recorder has recorded checkpoint <i>k</i> the sink has already
 * written, prepared or committed whatever it does for <i>k</i>.
 *
 * <p>Each run prints {@code GUARANTEE <property> sink=<sink> violated=<bool> (<detail>)}.
 */
@ExtendWith(RealInfrastructure.class)
class ExactlyOnceGuaranteeIT {
    @RegisterExtension static final MiniClusterExtension FLINK = JobRunner.miniCluster();

    static final String TABLE = "eo_test";
    static final String INSERT = "INSERT INTO " + TABLE + " (id) VALUES (?)";
    static final int ROWS = 200;
    static final int BURST = 20;

    /** How long the test looks at the table while a checkpoint is held. */
    static final Duration HOLD_WINDOW = Duration.ofSeconds(3);

    /** The sinks the same test runs against. */
    enum SinkUnderTest {
        TWO_PHASE("two-phase"),
        AT_LEAST_ONCE("at-least-once"),
        CONNECTOR_XA("connector-xa");

        final String label;

        SinkUnderTest(String label) {
            this.label = label;
        }

        boolean expectViolation() {
            return this != TWO_PHASE;
        }

        Sink<Long> build() {
            return build(
                    RealInfrastructure.postgresUrl(),
                    RealInfrastructure.PG_USER,
                    new TelemetraConfig.Secret(RealInfrastructure.PG_PASSWORD));
        }

        /** The sink for a job that runs outside this JVM (GuaranteeJob on the session cluster). */
        Sink<Long> build(String url, String user, TelemetraConfig.Secret password) {
            JdbcStatementBuilder<Long> binder = (ps, id) -> ps.setLong(1, id);
            return switch (this) {
                case TWO_PHASE ->
                        new PostgresTwoPhaseSink<>(
                                "eo-it",
                                TABLE,
                                INSERT,
                                binder,
                                Types.LONG,
                                new PreparedTransactions(url, user, password),
                                PostgresTwoPhaseSink.StrayTransactions.FAIL);
                case AT_LEAST_ONCE ->
                        // as PostgresSinks builds it
                        new PatchedJdbcSink<>(
                                JdbcSink.<Long>builder()
                                        .withQueryStatement(INSERT, binder)
                                        .withExecutionOptions(
                                                JdbcExecutionOptions.builder()
                                                        .withBatchSize(1000)
                                                        .withBatchIntervalMs(200)
                                                        .withMaxRetries(3)
                                                        .build())
                                        .buildAtLeastOnce(
                                                new JdbcConnectionOptions
                                                                .JdbcConnectionOptionsBuilder()
                                                        .withUrl(url)
                                                        .withDriverName("org.postgresql.Driver")
                                                        .withUsername(user)
                                                        .withPassword(password.value())
                                                        .build()),
                                TABLE);
                case CONNECTOR_XA -> {
                    // as PatchedJdbcSinkIT builds it
                    var xa = PostgresSinks.xaDataSource(url, user, password);
                    yield new PatchedJdbcSink<>(
                            JdbcSink.<Long>builder()
                                    .withQueryStatement(INSERT, binder)
                                    .withExecutionOptions(
                                            JdbcExecutionOptions.builder()
                                                    .withMaxRetries(0)
                                                    .build())
                                    .buildExactlyOnce(
                                            JdbcExactlyOnceOptions.builder()
                                                    .withTransactionPerConnection(true)
                                                    .build(),
                                            xa),
                            TABLE,
                            xa);
                }
            };
        }
    }

    private JobClient job;
    private Path files;

    @BeforeEach
    void emptyTableAndNothingPrepared(@TempDir Path dir) throws Exception {
        files = dir;
        emptyTable();
    }

    /** An empty test table, and nothing prepared. */
    static void emptyTable() throws Exception {
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement()) {
            for (String gid : PostgresCheck.preparedTransactions(c)) {
                PreparedTransactions.rollback(c, gid);
            }
            st.execute("DROP TABLE IF EXISTS " + TABLE);
            st.execute("CREATE TABLE " + TABLE + " (id BIGINT NOT NULL)");
        }
    }

    @AfterEach
    void stopTheJob() throws Exception {
        release("complete");
        if (job != null && !job.getJobStatus().get().isTerminalState()) {
            job.cancel().get(1, TimeUnit.MINUTES);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(SinkUnderTest.class)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void noRowOfAnEpochIsVisibleBeforeItsCheckpointCompletes(SinkUnderTest sink) throws Exception {
        job = start(sink);
        long held = await("held");
        long completedUpTo = await("last-" + (held - 1));
        long epochEnd = await("last-" + held);

        // checkpoint `held` cannot complete: any id above `completedUpTo` in the table is a row
        // of an epoch whose checkpoint has not completed
        long visible = 0;
        long deadline = System.nanoTime() + HOLD_WINDOW.toNanos();
        while (visible == 0 && System.nanoTime() < deadline) {
            visible = count("id > " + completedUpTo);
            Thread.sleep(100);
        }
        boolean stillPending = !Files.exists(files.resolve("completed-" + held));
        long earlierVisible = count("id <= " + completedUpTo);
        release("complete");
        job.getJobExecutionResult().get(3, TimeUnit.MINUTES);

        boolean violated = visible > 0;
        String detail =
                "checkpoint "
                        + held
                        + " held, its epoch ids "
                        + (completedUpTo + 1)
                        + ".."
                        + epochEnd
                        + "; "
                        + (violated
                                ? visible + " rows above id " + completedUpTo + " visible"
                                : "no row above id "
                                        + completedUpTo
                                        + " visible during "
                                        + HOLD_WINDOW.toSeconds()
                                        + " s")
                        + " while it was pending ("
                        + earlierVisible
                        + " of the "
                        + completedUpTo
                        + " rows of completed checkpoints visible)";
        report("visibility-before-completion", sink, violated, detail);
        assertTrue(stillPending, "the checkpoint was still pending while the table was read");
        assertEquals(sink.expectViolation(), violated, detail);
        // without a failure every sink writes every row once: the table and query are right, and
        // a sink that keeps the property by never committing fails here
        assertEquals("", duplicatesAndMissing(), "the rows once the job has finished");
        assertNothingPrepared(sink);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(SinkUnderTest.class)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void afterADeclinedCheckpointAndRestoreEveryRowAppearsExactlyOnce(SinkUnderTest sink)
            throws Exception {
        job = start(sink);
        long held = await("held");
        long restoreTo = await("last-" + (held - 1));
        long epochEnd = await("last-" + held);
        // what the sink has done with the epoch by the time the checkpoint is declined
        long visibleBeforeDecline = count("id > " + restoreTo);
        int preparedBeforeDecline = prepared().size();

        release("decline");
        job.getJobExecutionResult().get(3, TimeUnit.MINUTES);

        List<String> restored = Files.readAllLines(files.resolve("restored"));
        assertFalse(restored.isEmpty(), "the job restored from a checkpoint");
        assertEquals(
                Long.toString(restoreTo),
                restored.get(0),
                "the job restored checkpoint " + (held - 1) + " and replayed from there");
        String wrong = duplicatesAndMissing();
        boolean violated = !wrong.isEmpty();
        String detail =
                "checkpoint "
                        + held
                        + " (ids "
                        + (restoreTo + 1)
                        + ".."
                        + epochEnd
                        + ") declined after the sink's barrier, when "
                        + visibleBeforeDecline
                        + " of its rows were visible and "
                        + preparedBeforeDecline
                        + " transaction(s) prepared; restored from checkpoint "
                        + (held - 1)
                        + "; "
                        + (violated ? wrong : "all " + ROWS + " ids exactly once");
        report("exactly-once-after-declined-checkpoint", sink, violated, detail);
        assertEquals(sink.expectViolation(), violated, detail);
        assertNothingPrepared(sink);
    }

    private JobClient start(SinkUnderTest sink) throws Exception {
        StreamExecutionEnvironment env = JobRunner.environment(GuaranteeJob.checkpointing());
        GuaranteeJob.build(env, sink.build(), sink.label, files.toString());
        return env.executeAsync("exactly-once guarantee, " + sink.label);
    }

    /** The number the job wrote to a file, waiting up to 2 minutes for it. */
    private long await(String file) throws Exception {
        Path path = files.resolve(file);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!Files.exists(path)) {
            assertTrue(System.nanoTime() < deadline, "the job never wrote " + file);
            Thread.sleep(20);
        }
        return GuaranteeJob.read(path);
    }

    private void release(String decision) throws Exception {
        if (!Files.exists(files.resolve("release"))) {
            GuaranteeJob.write(files.resolve("release"), decision);
        }
    }

    private static void report(
            String property, SinkUnderTest sink, boolean violated, String detail) {
        System.out.println(
                "GUARANTEE "
                        + property
                        + " sink="
                        + sink.label
                        + " violated="
                        + violated
                        + " ("
                        + detail
                        + ")");
        io.telemetra.testing.Reliability.record(
                "guarantee " + property + ", sink " + sink.label,
                property.startsWith("visibility")
                        ? "a checkpoint held back after the sink passed its barrier"
                        : "a checkpoint declined after the sink passed its barrier; restore",
                "plain-INSERT table",
                (violated ? "violated" : "held")
                        + (sink == SinkUnderTest.TWO_PHASE ? "" : " (negative control)")
                        + ": "
                        + detail);
    }

    private static void assertNothingPrepared(SinkUnderTest sink) throws Exception {
        List<String> left = prepared();
        if (sink == SinkUnderTest.TWO_PHASE) {
            assertEquals(List.of(), left, "transactions left prepared");
        } else if (!left.isEmpty()) {
            System.out.println(sink.label + " left prepared: " + left);
        }
    }

    static List<String> prepared() throws Exception {
        try (Connection c = RealInfrastructure.connect()) {
            return PostgresCheck.preparedTransactions(c);
        }
    }

    static long count(String where) throws Exception {
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT count(*) FROM " + TABLE + " WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** "" when every id 1..ROWS is in the table exactly once; otherwise what is wrong. */
    static String duplicatesAndMissing() throws Exception {
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement()) {
            long duplicated;
            long extra;
            try (ResultSet rs =
                    st.executeQuery(
                            "SELECT count(*), coalesce(sum(n - 1), 0) FROM (SELECT id, count(*) n"
                                    + " FROM "
                                    + TABLE
                                    + " GROUP BY id HAVING count(*) <> 1) d")) {
                rs.next();
                duplicated = rs.getLong(1);
                extra = rs.getLong(2);
            }
            long missing;
            try (ResultSet rs =
                    st.executeQuery(
                            "SELECT count(*) FROM generate_series(1, "
                                    + ROWS
                                    + ") g(id) WHERE NOT EXISTS (SELECT 1 FROM "
                                    + TABLE
                                    + " t WHERE t.id = g.id)")) {
                rs.next();
                missing = rs.getLong(1);
            }
            if (duplicated == 0 && missing == 0) {
                return "";
            }
            return duplicated
                    + " ids duplicated ("
                    + extra
                    + " extra rows), "
                    + missing
                    + " ids missing";
        }
    }
}
