package io.telemetra.sink;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.connector.jdbc.core.datastream.sink.writer.JdbcWriterStateSerializer;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Telemetra's exactly-once PostgreSQL sink: rows become visible only when the checkpoint that
 * covers them completes, and exactly once.
 *
 * <ul>
 *   <li>The writer keeps a checkpoint epoch's rows in memory and writes them when the barrier
 *       comes, in one transaction that it prepares ({@code PREPARE TRANSACTION}); the gid goes to
 *       the committer as the committable ({@link PreparedTransaction}).
 *   <li>The committer commits exactly the transactions its committables name, gid by gid, when
 *       Flink reports the checkpoint complete; committing one that is already committed is a no-op,
 *       so a committable restored from a checkpoint is simply committed (again).
 *   <li>A restored writer rolls back the transactions of its lineage that were prepared after the
 *       checkpoint it restores from, decided from the gid alone ({@link TransactionName}).
 *   <li>A prepared transaction keeps its row locks until it commits. An open moment is upserted
 *       again at later checkpoints, and the next epoch's write would wait on the previous epoch's
 *       lock on the very thread that must deliver its commit. So the writer never writes while a
 *       transaction it depends on is still prepared: it keeps the rows (in its state) for the next
 *       checkpoint instead.
 * </ul>
 *
 * <p>Why not flink-connector-jdbc's exactly-once sink: it commits inside the writer's snapshot,
 * before the checkpoint completes, and its committer cannot commit a restored committable (see
 * docs/upstream/flink-connector-jdbc.md). Its statement builders are reused. Two-phase commit is
 * PostgreSQL's own SQL here rather than the XA API, so a transaction is named by a readable gid
 * that records its owner, and operators can list and resolve them with plain SQL.
 *
 * @param <T> the rows
 */
public final class PostgresTwoPhaseSink<T>
        implements Sink<T>,
                SupportsWriterState<T, TwoPhaseWriter.State<T>>,
                SupportsCommitter<PreparedTransaction> {
    private static final long serialVersionUID = 1L;

    /** What the writer does with another job's transactions left prepared for this sink. */
    public enum StrayTransactions {
        /** refuse to start, naming them and how to roll them back */
        FAIL,
        /** roll them back */
        ROLLBACK
    }

    final String deployment;
    final String name;
    final String sql;
    final JdbcStatementBuilder<T> binder;
    final TypeInformation<T> rowType;
    final PreparedTransactions db;
    final StrayTransactions strays;

    /**
     * @param deployment the Telemetra deployment ({@link TransactionName#deploymentOf})
     * @param name the table; stable across releases (it is part of every gid)
     */
    public PostgresTwoPhaseSink(
            String deployment,
            String name,
            String sql,
            JdbcStatementBuilder<T> binder,
            TypeInformation<T> rowType,
            PreparedTransactions db,
            StrayTransactions strays) {
        this.deployment = deployment;
        this.name = name;
        this.sql = sql;
        this.binder = binder;
        this.rowType = rowType;
        this.db = db;
        this.strays = strays;
    }

    TypeSerializer<T> rowSerializer() {
        return rowType.createSerializer(new SerializerConfigImpl());
    }

    @Override
    public TwoPhaseWriter<T> createWriter(WriterInitContext context) throws IOException {
        return new TwoPhaseWriter<>(this, context, List.of());
    }

    @Override
    public TwoPhaseWriter<T> restoreWriter(
            WriterInitContext context, Collection<TwoPhaseWriter.State<T>> recoveredState)
            throws IOException {
        return new TwoPhaseWriter<>(this, context, new ArrayList<>(recoveredState));
    }

    @Override
    public SimpleVersionedSerializer<TwoPhaseWriter.State<T>> getWriterStateSerializer() {
        return new StateSerializer<>(rowSerializer());
    }

    @Override
    public Committer<PreparedTransaction> createCommitter(CommitterInitContext context) {
        return new TwoPhaseCommitter<>(db, rowSerializer(), sql, binder);
    }

    @Override
    public SimpleVersionedSerializer<PreparedTransaction> getCommittableSerializer() {
        return new PreparedTransaction.Serializer();
    }

    /**
     * Version 100 (far from the connector's small numbers): the writer's job id and the rows it
     * holds for the next checkpoint. Any other version is flink-connector-jdbc's writer state of
     * Telemetra 0.2.0, which holds nothing this sink needs (0.2.0 committed in the writer): it
     * restores as an empty state.
     */
    static final class StateSerializer<T>
            implements SimpleVersionedSerializer<TwoPhaseWriter.State<T>> {
        static final int VERSION = 100;
        private final TypeSerializer<T> rows;

        StateSerializer(TypeSerializer<T> rows) {
            this.rows = rows;
        }

        @Override
        public int getVersion() {
            return VERSION;
        }

        @Override
        public byte[] serialize(TwoPhaseWriter.State<T> state) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(256);
            out.writeUTF(state.job());
            out.writeInt(state.pending().size());
            for (T row : state.pending()) {
                rows.serialize(row, out);
            }
            return out.getCopyOfBuffer();
        }

        @Override
        public TwoPhaseWriter.State<T> deserialize(int version, byte[] bytes) throws IOException {
            if (version != VERSION) {
                // read it, so a corrupt state still fails loudly
                new JdbcWriterStateSerializer().deserialize(version, bytes);
                return new TwoPhaseWriter.State<>("", List.of());
            }
            DataInputDeserializer in = new DataInputDeserializer(bytes);
            String job = in.readUTF();
            int n = in.readInt();
            List<T> pending = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                pending.add(rows.deserialize(in));
            }
            return new TwoPhaseWriter.State<>(job, pending);
        }
    }
}
