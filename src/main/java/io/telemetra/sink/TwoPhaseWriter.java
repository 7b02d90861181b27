package io.telemetra.sink;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer of {@link PostgresTwoPhaseSink}: keeps an epoch's rows, writes and prepares them at
 * the barrier, and on start resolves what earlier runs left prepared. See the sink for the design.
 */
final class TwoPhaseWriter<T>
        implements StatefulSinkWriter<T, TwoPhaseWriter.State<T>>,
                CommittingSinkWriter<T, PreparedTransaction> {
    private static final Logger LOG = LoggerFactory.getLogger(TwoPhaseWriter.class);

    /** The job that wrote it, and the rows held for the next checkpoint. */
    record State<T>(String job, List<T> pending) {}

    private final PostgresTwoPhaseSink<T> sink;
    private final TypeSerializer<T> rows;
    private final String job;
    private final long owner;
    private final Connection conn;
    private final List<T> buffer = new ArrayList<>();

    /** The last checkpoint this writer took part in (or restored from). */
    private long lastCheckpoint;

    private long sequence;
    private boolean endOfInput;

    /** Prepared transactions that must be committed before this writer writes again. */
    private List<String> waitFor = new ArrayList<>();

    TwoPhaseWriter(PostgresTwoPhaseSink<T> sink, WriterInitContext ctx, List<State<T>> restored)
            throws IOException {
        this(
                sink,
                ctx.getJobInfo().getJobId().toHexString(),
                ctx.getRestoredCheckpointId().orElse(0L),
                restored);
    }

    /**
     * @param job the Flink job's id, in hex
     * @param restoredFrom the checkpoint restored from, 0 for a fresh start
     */
    TwoPhaseWriter(
            PostgresTwoPhaseSink<T> sink, String job, long restoredFrom, List<State<T>> restored)
            throws IOException {
        this.sink = sink;
        this.rows = sink.rowSerializer();
        this.job = job;
        long owner;
        do {
            owner = ThreadLocalRandom.current().nextLong();
        } while (owner == 0);
        this.owner = owner;
        this.lastCheckpoint = restoredFrom;
        Set<String> lineage = new HashSet<>();
        lineage.add(job);
        for (State<T> s : restored) {
            lineage.add(s.job());
            buffer.addAll(s.pending());
        }
        try {
            conn = sink.db.connect();
            try (Statement st = conn.createStatement()) {
                // held while this writer lives: its transactions are not abandoned
                st.execute("SELECT pg_advisory_lock(" + owner + ")");
            }
            resolveLeftovers(restoredFrom, lineage);
        } catch (SQLException e) {
            throw new IOException(
                    "sink "
                            + sink.name
                            + ": cannot prepare its PostgreSQL session ("
                            + e.getMessage()
                            + ")",
                    e);
        }
    }

    /**
     * Transactions of this sink left prepared by writers that are gone: those of this job's lineage
     * prepared after the restored checkpoint never completed and are rolled back; the others belong
     * to completed checkpoints, and a restored committable commits them (this writer waits for that
     * before it writes). Another job's are refused, or rolled back if configured.
     */
    private void resolveLeftovers(long restoredFrom, Set<String> lineage)
            throws SQLException, IOException {
        List<String> foreign = new ArrayList<>();
        for (String gid : PreparedTransactions.list(conn, sink.deployment, sink.name)) {
            TransactionName t = TransactionName.parse(gid).orElse(null);
            if (t == null
                    || t.owner() == owner
                    || PreparedTransactions.ownerAlive(conn, t.owner())) {
                continue;
            }
            if (lineage.contains(t.job())) {
                if (t.fromCheckpoint() > restoredFrom) {
                    if (PreparedTransactions.rollback(conn, gid)) {
                        LOG.info(
                                "sink {}: rolled back {}, prepared after checkpoint {}",
                                sink.name,
                                gid,
                                restoredFrom);
                    }
                } else {
                    waitFor.add(gid);
                }
            } else if (sink.strays == PostgresTwoPhaseSink.StrayTransactions.ROLLBACK) {
                if (PreparedTransactions.rollback(conn, gid)) {
                    LOG.warn("sink {}: rolled back {} of an earlier job", sink.name, gid);
                }
            } else {
                foreign.add(gid);
            }
        }
        if (!foreign.isEmpty()) {
            throw new IOException(StrayTransactionsException.message(sink.name, foreign));
        }
    }

    @Override
    public void write(T element, Context context) {
        buffer.add(rows.copy(element));
    }

    @Override
    public void flush(boolean endOfInput) {
        this.endOfInput |= endOfInput;
    }

    @Override
    public List<PreparedTransaction> prepareCommit() throws IOException {
        if (buffer.isEmpty()) {
            return List.of();
        }
        try {
            if (!waitFor.isEmpty()) {
                waitFor = PreparedTransactions.stillPrepared(conn, waitFor);
            }
            if (!waitFor.isEmpty()) {
                if (!endOfInput) {
                    // the rows stay in this writer's state until the next checkpoint
                    return List.of();
                }
                // no later checkpoint will come: the committer writes them, after the commit of
                // the transaction they would wait on (it commits checkpoints in order)
                List<PreparedTransaction> out = List.of(PreparedTransaction.deferred(serialize()));
                buffer.clear();
                return out;
            }
            String gid =
                    new TransactionName(
                                    sink.deployment,
                                    sink.name,
                                    job,
                                    owner,
                                    lastCheckpoint + 1,
                                    ++sequence)
                            .gid();
            conn.setAutoCommit(false);
            try (PreparedStatement ps = conn.prepareStatement(sink.sql)) {
                for (T row : buffer) {
                    sink.binder.accept(ps, row);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (Statement st = conn.createStatement()) {
                st.execute("PREPARE TRANSACTION " + PreparedTransactions.quote(gid));
            }
            conn.setAutoCommit(true);
            buffer.clear();
            waitFor = new ArrayList<>(List.of(gid));
            return List.of(PreparedTransaction.prepared(gid));
        } catch (SQLException e) {
            try {
                conn.rollback();
            } catch (SQLException ignored) {
                // the connection is broken; the task restarts and the rows are replayed
            }
            throw new IOException(
                    "sink "
                            + sink.name
                            + ": writing "
                            + buffer.size()
                            + " rows failed ("
                            + e.getMessage()
                            + "); the job restarts from its last checkpoint",
                    e);
        }
    }

    private byte[] serialize() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(1024);
        out.writeInt(buffer.size());
        for (T row : buffer) {
            rows.serialize(row, out);
        }
        return out.getCopyOfBuffer();
    }

    @Override
    public List<State<T>> snapshotState(long checkpointId) {
        lastCheckpoint = checkpointId;
        return List.of(new State<>(job, new ArrayList<>(buffer)));
    }

    @Override
    public void close() throws Exception {
        // closing the session releases the advisory lock: from then on, whatever this writer
        // left prepared is known to be abandoned
        conn.close();
    }
}
