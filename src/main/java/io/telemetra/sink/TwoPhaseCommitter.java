package io.telemetra.sink;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the transactions named by {@link PreparedTransaction}s, once their checkpoint is complete
 * (Flink calls it then, and again with the committables restored from a checkpoint).
 */
final class TwoPhaseCommitter<T> implements Committer<PreparedTransaction> {
    private static final Logger LOG = LoggerFactory.getLogger(TwoPhaseCommitter.class);

    private final PreparedTransactions db;
    private final TypeSerializer<T> rows;
    private final String sql;
    private final JdbcStatementBuilder<T> binder;
    private Connection conn;

    TwoPhaseCommitter(
            PreparedTransactions db,
            TypeSerializer<T> rows,
            String sql,
            JdbcStatementBuilder<T> binder) {
        this.db = db;
        this.rows = rows;
        this.sql = sql;
        this.binder = binder;
    }

    @Override
    public void commit(Collection<CommitRequest<PreparedTransaction>> requests) throws IOException {
        for (CommitRequest<PreparedTransaction> request : requests) {
            PreparedTransaction t = request.getCommittable();
            try {
                if (conn == null || conn.isClosed()) {
                    conn = db.connect();
                }
                if (t.gid() != null) {
                    if (!PreparedTransactions.commit(conn, t.gid())) {
                        // committed by an earlier attempt of this commit (or by hand)
                        LOG.info("{} was no longer prepared: committed before", t.gid());
                    }
                } else {
                    writeDeferred(t.deferredRows());
                }
            } catch (SQLException e) {
                LOG.warn("committing {} failed, will retry: {}", t, e.getMessage());
                closeQuietly();
                request.retryLater();
            }
        }
    }

    /** Rows the writer could not prepare at the end of its input: written and committed here. */
    private void writeDeferred(byte[] bytes) throws SQLException, IOException {
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        int n = in.readInt();
        conn.setAutoCommit(false);
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            for (int i = 0; i < n; i++) {
                binder.accept(ps, rows.deserialize(in));
                ps.addBatch();
            }
            ps.executeBatch();
            conn.commit();
        } catch (SQLException | IOException e) {
            conn.rollback();
            throw e;
        } finally {
            conn.setAutoCommit(true);
        }
    }

    private void closeQuietly() {
        try {
            if (conn != null) {
                conn.close();
            }
        } catch (SQLException ignored) {
            // a new connection is opened at the retry
        }
        conn = null;
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
