package io.telemetra.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.config.TelemetraConfig;
import io.telemetra.testing.RealInfrastructure;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Committer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The two-phase-commit sink's writer and committer against a real PostgreSQL, driven the way Flink
 * drives them (write, prepareCommit at the barrier, snapshotState, commit when the checkpoint
 * completes), with failures placed where a test needs them.
 */
@ExtendWith(RealInfrastructure.class)
class PostgresTwoPhaseSinkIT {
    static final String TABLE = "two_phase_test";
    static final String JOB = "0123456789abcdef0123456789abcdef";

    @BeforeEach
    void freshTable() throws Exception {
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement()) {
            for (String gid : PreparedTransactions.listAll(c)) {
                PreparedTransactions.rollback(c, gid);
            }
            st.execute("DROP TABLE IF EXISTS " + TABLE);
            st.execute("CREATE TABLE " + TABLE + " (k BIGINT PRIMARY KEY, v BIGINT NOT NULL)");
        }
    }

    static PostgresTwoPhaseSink<Long> sink(PostgresTwoPhaseSink.StrayTransactions strays) {
        return new PostgresTwoPhaseSink<>(
                "it",
                TABLE,
                // k = row / 1000 (the key), v = the row: later rows of a key overwrite earlier ones
                "INSERT INTO "
                        + TABLE
                        + " (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v",
                (ps, row) -> {
                    ps.setLong(1, row / 1000);
                    ps.setLong(2, row);
                },
                Types.LONG,
                new PreparedTransactions(
                        RealInfrastructure.postgresUrl(),
                        RealInfrastructure.PG_USER,
                        new TelemetraConfig.Secret(RealInfrastructure.PG_PASSWORD)),
                strays);
    }

    static TwoPhaseWriter<Long> writer(long restoredFrom, List<TwoPhaseWriter.State<Long>> state)
            throws IOException {
        return new TwoPhaseWriter<>(
                sink(PostgresTwoPhaseSink.StrayTransactions.FAIL), JOB, restoredFrom, state);
    }

    static void commit(List<PreparedTransaction> committables) throws Exception {
        try (Committer<PreparedTransaction> c =
                sink(PostgresTwoPhaseSink.StrayTransactions.FAIL).createCommitter(null)) {
            c.commit(requests(committables));
        }
    }

    @Test
    void rowsAreInvisibleUntilTheCommitterCommitsAndASecondCommitIsHarmless() throws Exception {
        TwoPhaseWriter<Long> w = writer(0, List.of());
        w.write(1001L, null);
        w.write(2001L, null);
        List<PreparedTransaction> prepared = w.prepareCommit();
        w.snapshotState(1);
        assertEquals(1, prepared.size());
        assertEquals(List.of(), rows(), "prepared, not committed");
        assertEquals(1, PreparedTransactions.listAll(RealInfrastructure.connect()).size());
        commit(prepared);
        assertEquals(List.of("1=1001", "2=2001"), rows());
        commit(prepared);
        assertEquals(List.of("1=1001", "2=2001"), rows());
        w.close();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aKeyWrittenAgainWhileItsLastTransactionIsPreparedWaitsForTheCommitInsteadOfTheLock()
            throws Exception {
        TwoPhaseWriter<Long> w = writer(0, List.of());
        w.write(7001L, null);
        List<PreparedTransaction> first = w.prepareCommit();
        w.snapshotState(1);
        // checkpoint 1's completion is slow to arrive; the same key is written at checkpoints 2-4
        for (long cp = 2; cp <= 4; cp++) {
            w.write(7000L + cp, null);
            assertEquals(List.of(), w.prepareCommit(), "no write while checkpoint 1 is prepared");
            List<TwoPhaseWriter.State<Long>> state = w.snapshotState(cp);
            assertTrue(state.get(0).pending().contains(7000L + cp), "held in the writer's state");
        }
        commit(first);
        assertEquals(List.of("7=7001"), rows());
        List<PreparedTransaction> next = w.prepareCommit();
        assertEquals(1, next.size());
        w.snapshotState(5);
        commit(next);
        assertEquals(List.of("7=7004"), rows());
        w.close();
    }

    @Test
    void onRestoreTheTransactionsOfCheckpointsThatNeverCompletedAreRolledBack() throws Exception {
        TwoPhaseWriter<Long> crashed = writer(0, List.of());
        crashed.write(1001L, null);
        List<PreparedTransaction> cp1 = crashed.prepareCommit();
        List<TwoPhaseWriter.State<Long>> state1 = crashed.snapshotState(1);
        commit(cp1);
        crashed.write(2001L, null);
        List<PreparedTransaction> cp2 = crashed.prepareCommit(); // checkpoint 2 never completes
        crashed.snapshotState(2);
        crashed.close(); // the TaskManager dies: cp2 stays prepared, its owner is gone
        assertEquals(
                List.of(cp2.get(0).gid()),
                PreparedTransactions.listAll(RealInfrastructure.connect()));

        TwoPhaseWriter<Long> restored = writer(1, state1);
        assertEquals(List.of(), PreparedTransactions.listAll(RealInfrastructure.connect()));
        assertEquals(List.of("1=1001"), rows());
        restored.close();
    }

    @Test
    void onRestoreATransactionOfTheRestoredCheckpointIsLeftForItsCommittable() throws Exception {
        TwoPhaseWriter<Long> crashed = writer(0, List.of());
        crashed.write(3001L, null);
        List<PreparedTransaction> cp1 = crashed.prepareCommit();
        List<TwoPhaseWriter.State<Long>> state1 = crashed.snapshotState(1);
        crashed.close(); // checkpoint 1 completed, but its commit never ran

        TwoPhaseWriter<Long> restored = writer(1, state1);
        assertEquals(
                List.of(cp1.get(0).gid()),
                PreparedTransactions.listAll(RealInfrastructure.connect()));
        restored.write(3002L, null);
        assertEquals(List.of(), restored.prepareCommit(), "waits for the restored commit");
        commit(cp1); // the committer restored from checkpoint 1
        assertEquals(1, restored.prepareCommit().size());
        restored.close();
    }

    @Test
    void anotherJobsStrayTransactionIsNamedWithHowToRollItBackOrRolledBackWhenAsked()
            throws Exception {
        TwoPhaseWriter<Long> other =
                new TwoPhaseWriter<>(
                        sink(PostgresTwoPhaseSink.StrayTransactions.FAIL),
                        "fedcba9876543210fedcba9876543210",
                        0,
                        List.of());
        other.write(5001L, null);
        String gid = other.prepareCommit().get(0).gid();
        other.close();

        IOException e = assertThrows(IOException.class, () -> writer(0, List.of()));
        assertTrue(e.getMessage().contains("ROLLBACK PREPARED '" + gid + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("--sink.stray-transactions rollback"), e.getMessage());

        new TwoPhaseWriter<>(
                        sink(PostgresTwoPhaseSink.StrayTransactions.ROLLBACK), JOB, 0, List.of())
                .close();
        assertEquals(List.of(), PreparedTransactions.listAll(RealInfrastructure.connect()));
        assertEquals(List.of(), rows());
    }

    @Test
    void aFreshStartIsRefusedAtSubmissionWhileAnEarlierJobsTransactionsArePrepared()
            throws Exception {
        RealInfrastructure.resetSchema();
        TwoPhaseWriter<Long> earlier = writer(0, List.of());
        earlier.write(8001L, null);
        String gid = earlier.prepareCommit().get(0).gid();
        earlier.close(); // cancelled without a savepoint

        var cfg = io.telemetra.testing.JobRunner.config("c", "v", "--kafka.group-id", "it");
        io.telemetra.StartupException e =
                assertThrows(
                        io.telemetra.StartupException.class,
                        () -> PostgresCheck.verify(cfg, 1, true));
        assertTrue(e.getMessage().contains("ROLLBACK PREPARED '" + gid + "'"), e.getMessage());
        // restoring from a savepoint: the job's own writers resolve them
        PostgresCheck.verify(cfg, 1, false);
    }

    @Test
    void aLiveWritersTransactionIsNeverTouched() throws Exception {
        TwoPhaseWriter<Long> live = writer(0, List.of());
        live.write(6001L, null);
        List<PreparedTransaction> prepared = live.prepareCommit();
        // a second writer of the same job starting now (another subtask) must leave it alone
        writer(0, List.of()).close();
        assertEquals(
                List.of(prepared.get(0).gid()),
                PreparedTransactions.listAll(RealInfrastructure.connect()));
        commit(prepared);
        assertEquals(List.of("6=6001"), rows());
        live.close();
    }

    @Test
    void aCommittableOf020IsReadAsTheDriversGid() throws Exception {
        javax.transaction.xa.Xid xid =
                org.apache.flink.connector.jdbc.datasource.transactions.xa.domain.TransactionId
                        .create(new byte[16], 1, 2)
                        .withBranch(7);
        byte[] bytes =
                new org.apache.flink.connector.jdbc.core.datastream.sink.committer
                                .JdbcCommitableSerializer()
                        .serialize(
                                org.apache.flink.connector.jdbc.core.datastream.sink.committer
                                        .JdbcCommitable.of(xid));
        int version =
                new org.apache.flink.connector.jdbc.core.datastream.sink.committer
                                .JdbcCommitableSerializer()
                        .getVersion();
        PreparedTransaction t = new PreparedTransaction.Serializer().deserialize(version, bytes);
        assertEquals(PreparedTransaction.Serializer.pgjdbcGid(xid), t.gid());
        // nothing prepared under that name (0.2.0 committed in the writer): committing is a no-op
        commit(List.of(t));
    }

    private static List<String> rows() throws Exception {
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT k, v FROM " + TABLE + " ORDER BY k")) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getLong(1) + "=" + rs.getLong(2));
            }
            return out;
        }
    }

    private static Collection<Committer.CommitRequest<PreparedTransaction>> requests(
            List<PreparedTransaction> committables) {
        List<Committer.CommitRequest<PreparedTransaction>> out = new ArrayList<>();
        for (PreparedTransaction t : committables) {
            out.add(
                    new Committer.CommitRequest<>() {
                        @Override
                        public PreparedTransaction getCommittable() {
                            return t;
                        }

                        @Override
                        public int getNumberOfRetries() {
                            return 0;
                        }

                        @Override
                        public void signalFailedWithKnownReason(Throwable t) {
                            throw new AssertionError(t);
                        }

                        @Override
                        public void signalFailedWithUnknownReason(Throwable t) {
                            throw new AssertionError(t);
                        }

                        @Override
                        public void retryLater() {
                            throw new AssertionError("retry");
                        }

                        @Override
                        public void updateAndRetryLater(PreparedTransaction committable) {
                            throw new AssertionError("retry");
                        }

                        @Override
                        public void signalAlreadyCommitted() {}
                    });
        }
        return out;
    }
}
