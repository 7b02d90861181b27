package io.telemetra.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.telemetra.config.TelemetraConfig;
import io.telemetra.testing.RealInfrastructure;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.OptionalLong;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobInfo;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.jdbc.JdbcExactlyOnceOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.connector.jdbc.core.datastream.sink.writer.JdbcWriterState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Drives {@link PatchedJdbcSink} writers through the call sequence Flink's sink operator makes,
 * against a real PostgreSQL with prepared transactions enabled.
 */
@ExtendWith(RealInfrastructure.class)
class PatchedJdbcSinkIT {
    static final JobID JOB = new JobID();

    @BeforeEach
    void table() throws Exception {
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS xa_probe");
            st.execute("CREATE TABLE xa_probe (sink TEXT, v TEXT)");
        }
    }

    private static PatchedJdbcSink<String> sink(String name) {
        // a clash between transactions blocks rather than fails: the timeout turns it into a test
        // failure
        String url = RealInfrastructure.postgresUrl() + "?options=-c%20statement_timeout%3D10000";
        TelemetraConfig cfg =
                TelemetraConfig.load(
                        new String[] {
                            "--postgres.url", url, "--postgres.user", RealInfrastructure.PG_USER
                        },
                        java.util.Map.of("POSTGRES_PASSWORD", "x"));
        var xa =
                PostgresSinks.xaDataSource(
                        cfg.postgres().url(), cfg.postgres().user(), cfg.postgres().password());
        return new PatchedJdbcSink<>(
                JdbcSink.<String>builder()
                        .withQueryStatement(
                                "INSERT INTO xa_probe VALUES ('" + name + "', ?)",
                                (ps, v) -> ps.setString(1, v))
                        .withExecutionOptions(
                                JdbcExecutionOptions.builder().withMaxRetries(0).build())
                        .buildExactlyOnce(
                                JdbcExactlyOnceOptions.builder()
                                        .withTransactionPerConnection(true)
                                        .build(),
                                xa),
                name,
                xa);
    }

    @Test
    void twoSinksOfOneJobPrepareTheirTransactionsSideBySide() throws Exception {
        try (var a = sink("a").createWriter(context());
                var b = sink("b").createWriter(context())) {
            a.write("1", null);
            b.write("2", null);
            // checkpoint 1 on both sinks of subtask 0: without separate XID namespaces the second
            // prepare
            // fails with "transaction identifier ... is already in use"
            a.flush(false);
            a.prepareCommit();
            b.flush(false);
            b.prepareCommit();
            a.snapshotState(1);
            b.snapshotState(1);
        }
        assertEquals(List.of("a=1", "b=2"), rows());
        assertEquals(List.of(), preparedLeft());
    }

    @Test
    void checkpointsAfterEndOfInputDoNotFailAndKeepEveryRow() throws Exception {
        try (var w = sink("eoi").createWriter(context())) {
            w.write("x", null);
            w.flush(false);
            w.prepareCommit();
            w.snapshotState(1);
            w.write("y", null);
            // end of input: Flink flushes and prepares once, then checkpoints call only
            // snapshotState
            w.flush(true);
            w.prepareCommit();
            w.snapshotState(2);
            w.prepareCommit(); // the next checkpoint, with nothing new: commits checkpoint 2
            w.snapshotState(3); // the connector alone fails here: "currentXid not null"
            w.snapshotState(4);
        }
        assertEquals(List.of("eoi=x", "eoi=y"), rows());
    }

    @Test
    void aWriterRestoredAtLowerParallelismTakesOverTheStateOfEveryFormerSubtask() throws Exception {
        List<JdbcWriterState> states = new java.util.ArrayList<>();
        for (int subtask = 0; subtask < 2; subtask++) {
            // subtask i of 2 checkpoints its first row, writes another, and the job stops
            var w = sink("scale").createWriter(context(subtask, 2, OptionalLong.empty()));
            w.write("kept" + subtask, null);
            w.flush(false);
            w.prepareCommit();
            states.addAll(w.snapshotState(1));
            w.write("after-checkpoint" + subtask, null);
            w.close();
        }
        assertEquals(2, states.size());

        // resumed from checkpoint 1 with parallelism 1: the one writer receives both states (the
        // connector's own writer refuses that: "more than one state to recover")
        try (var w =
                (PatchedJdbcSink.Writer<String>)
                        sink("scale").restoreWriter(context(0, 1, OptionalLong.of(1)), states)) {
            w.write("resumed", null);
            w.flush(false);
            w.prepareCommit();
            w.snapshotState(2);
            w.prepareCommit(); // the next checkpoint, with nothing new: commits checkpoint 2
            w.snapshotState(3);
        }
        assertEquals(List.of("scale=kept0", "scale=kept1", "scale=resumed"), rows());
        assertEquals(List.of(), preparedLeft());
    }

    @Test
    void aTransactionLeftPreparedByACrashIsRolledBackOnRestart() throws Exception {
        // the first attempt prepares its transaction for the next checkpoint, then the process
        // dies before that checkpoint completes
        var crashed = sink("stray").createWriter(context());
        crashed.write("never-checkpointed", null);
        crashed.flush(false);
        crashed.prepareCommit();
        crashed.close(); // the connection goes; the prepared transaction stays
        assertEquals(1, preparedLeft().size(), "a transaction is left in doubt");

        // the restarted attempt would reuse its id: without the clean-up, "already in use"
        try (var restarted = sink("stray").createWriter(context())) {
            restarted.write("kept", null);
            restarted.flush(false);
            restarted.prepareCommit();
            restarted.snapshotState(1);
            restarted.prepareCommit();
            restarted.snapshotState(2);
        }
        assertEquals(List.of("stray=kept"), rows());
        assertEquals(List.of(), preparedLeft());
    }

    @Test
    void namespacedJobIdsDifferPerSinkAndAreStable() {
        assertNotEquals(
                PatchedJdbcSink.namespacedJobId(JOB, "a"),
                PatchedJdbcSink.namespacedJobId(JOB, "b"));
        assertEquals(
                PatchedJdbcSink.namespacedJobId(JOB, "a"),
                PatchedJdbcSink.namespacedJobId(JOB, "a"));
    }

    private static List<String> rows() throws Exception {
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT sink || '=' || v FROM xa_probe ORDER BY 1")) {
            java.util.ArrayList<String> out = new java.util.ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }

    private static List<String> preparedLeft() throws Exception {
        try (Connection c = RealInfrastructure.connect()) {
            return PostgresCheck.preparedTransactions(c);
        }
    }

    /** The parts of Flink's writer context the JDBC writer reads; anything else fails loudly. */
    private static WriterInitContext context() {
        return context(0, 1, OptionalLong.empty());
    }

    private static WriterInitContext context(int subtask, int parallelism, OptionalLong restored) {
        JobInfo job =
                proxy(
                        JobInfo.class,
                        name ->
                                switch (name) {
                                    case "getJobId" -> JOB;
                                    case "getJobName" -> "test";
                                    default -> null;
                                });
        TaskInfo task =
                proxy(
                        TaskInfo.class,
                        name ->
                                switch (name) {
                                    case "getIndexOfThisSubtask" -> subtask;
                                    case "getAttemptNumber" -> 0;
                                    case "getNumberOfParallelSubtasks" -> parallelism;
                                    default -> null;
                                });
        return proxy(
                WriterInitContext.class,
                name ->
                        switch (name) {
                            case "getJobInfo" -> job;
                            case "getTaskInfo" -> task;
                            case "getRestoredCheckpointId" -> restored;
                            case "createInputSerializer" -> StringSerializer.INSTANCE;
                            case "isObjectReuseEnabled" -> false;
                            default -> null;
                        });
    }

    private static <T> T proxy(Class<T> type, java.util.function.Function<String, Object> answers) {
        return type.cast(
                Proxy.newProxyInstance(
                        type.getClassLoader(),
                        new Class<?>[] {type},
                        (p, m, args) -> {
                            Object answer = answers.apply(m.getName());
                            if (answer == null && !m.getName().equals("toString")) {
                                throw new UnsupportedOperationException(
                                        "test context has no " + m.getName());
                            }
                            return answer;
                        }));
    }
}
