package io.telemetra.sink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import javax.sql.XAConnection;
import javax.sql.XADataSource;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobInfo;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.connector.jdbc.core.datastream.sink.committer.JdbcCommitable;
import org.apache.flink.connector.jdbc.core.datastream.sink.writer.JdbcWriter;
import org.apache.flink.connector.jdbc.core.datastream.sink.writer.JdbcWriterState;
import org.apache.flink.connector.jdbc.datasource.transactions.xa.domain.TransactionId;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.flink.util.function.SerializableSupplier;

/**
 * Telemetra's at-least-once sink, and (for the tests' negative control only: the job's exactly-once
 * sink is {@link PostgresTwoPhaseSink}) the connector's XA sink. It wraps the {@link JdbcSink} of
 * flink-connector-jdbc 4.0.0 with its defects worked around, so that a job can have several XA
 * sinks, a bounded (replay) run ends cleanly, a savepoint restores at a lower parallelism, and a
 * database outage does not kill the TaskManager. State, serializers and committer are the
 * connector's own, so savepoints stay compatible.
 *
 * <p><b>One XID namespace per sink.</b> The connector derives XA transaction ids from the job id,
 * the subtask index and the checkpoint id only. Two XA sinks in one job therefore prepare the same
 * XID at every checkpoint and PostgreSQL refuses the second ("transaction identifier ... is already
 * in use"). The writer here sees a job id mixed with a stable hash of the sink's name, so each
 * sink's XIDs are distinct yet the same after every restart.
 *
 * <p><b>Checkpoints after end of input.</b> After end of input Flink no longer calls {@code
 * prepareCommit()} before a checkpoint, but the connector's {@link JdbcWriter#snapshotState} still
 * opens a new XA transaction at every snapshot. The first checkpoint after end of input commits the
 * last data and opens an empty transaction; a second one (the first was declined, or raced the
 * task's shutdown) fails with {@code IllegalStateException: currentXid not null}, restarting a job
 * whose rows were all written. Here the first snapshot after end of input goes to the connector as
 * usual; later ones return that same state, which lists no new data, only the empty transaction
 * that a restore rolls back.
 *
 * <p><b>Scaling down.</b> When a job resumes from a savepoint with a lower parallelism, a writer
 * receives the states of several former subtasks, and the connector's writer refuses more than one
 * ("more than one state to recover"). They are merged here: the transactions they list are named by
 * XID, so one writer can commit the prepared ones and roll back the hanging ones of all of them.
 *
 * <p>Each connector defect worked around here is written up, with the connector's class and line, a
 * reproduction and a suggested fix, in docs/upstream/flink-connector-jdbc.md, ready to file
 * upstream.
 */
public final class PatchedJdbcSink<IN>
        implements Sink<IN>,
                SupportsWriterState<IN, JdbcWriterState>,
                SupportsCommitter<JdbcCommitable> {
    private static final long serialVersionUID = 1L;

    private static final org.slf4j.Logger LOG =
            org.slf4j.LoggerFactory.getLogger(PatchedJdbcSink.class);

    private final JdbcSink<IN> delegate;
    private final String name;
    private final SerializableSupplier<XADataSource> xa;

    /**
     * @param name identifies the sink among the job's sinks; must stay the same across releases
     */
    public PatchedJdbcSink(JdbcSink<IN> delegate, String name) {
        this(delegate, name, null);
    }

    /**
     * @param xa the exactly-once sink's data source, to clean up transactions left prepared by a
     *     crash; null for at-least-once
     */
    public PatchedJdbcSink(
            JdbcSink<IN> delegate, String name, SerializableSupplier<XADataSource> xa) {
        this.delegate = delegate;
        this.name = name;
        this.xa = xa;
    }

    @Override
    public Writer<IN> createWriter(WriterInitContext context) throws IOException {
        rollBackStrayTransactions(context, List.of());
        return new Writer<>(delegate.createWriter(new NamespacedContext(context, name)));
    }

    @Override
    public StatefulSinkWriter<IN, JdbcWriterState> restoreWriter(
            WriterInitContext context, Collection<JdbcWriterState> recoveredState)
            throws IOException {
        rollBackStrayTransactions(context, recoveredState);
        return new Writer<>(
                delegate.restoreWriter(
                        new NamespacedContext(context, name), merged(recoveredState)));
    }

    /**
     * Rolls back this subtask's transactions that a crash left prepared in the database and that
     * the restored state does not list for commit: they belong to a checkpoint that never
     * completed. The connector's own clean-up misses them (it only recognises transaction ids of
     * its own class, and the driver returns its own), and the next transaction of the same
     * checkpoint number then fails with "transaction identifier ... is already in use", forever.
     */
    private void rollBackStrayTransactions(
            WriterInitContext context, Collection<JdbcWriterState> recovered) throws IOException {
        if (xa == null) {
            return;
        }
        byte[] jobId = namespacedJobId(context.getJobInfo().getJobId(), name).getBytes();
        int subtask = context.getTaskInfo().getIndexOfThisSubtask();
        int parallelism = context.getTaskInfo().getNumberOfParallelSubtasks();
        Set<String> toCommit = new HashSet<>();
        for (JdbcWriterState state : recovered) {
            for (TransactionId t : state.getPrepared()) {
                toCommit.add(key(t.getGlobalTransactionId(), t.getCheckpointId()));
            }
        }
        XAConnection connection = null;
        try {
            connection = xa.get().getXAConnection();
            XAResource resource = connection.getXAResource();
            for (Xid xid : resource.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN)) {
                byte[] g = xid.getGlobalTransactionId();
                if (xid.getFormatId() != TransactionId.empty().getFormatId()
                        || g.length < JobID.SIZE + 4
                        || !Arrays.equals(Arrays.copyOf(g, JobID.SIZE), jobId)) {
                    continue; // another job's, another sink's, or not Flink's
                }
                int owner = ByteBuffer.wrap(g, JobID.SIZE, 4).getInt();
                // this subtask's, or one of a former subtask that no longer exists (scaled down)
                boolean mine =
                        owner == subtask
                                || (owner >= parallelism && owner % parallelism == subtask);
                long checkpoint =
                        TransactionId.fromXid(xid.getFormatId(), g, xid.getBranchQualifier(), true)
                                .getCheckpointId();
                if (mine && !toCommit.contains(key(g, checkpoint))) {
                    LOG.info(
                            "rolling back transaction of checkpoint {} left prepared by a failure",
                            checkpoint);
                    resource.rollback(xid);
                }
            }
        } catch (Exception e) {
            throw new IOException(
                    "cannot roll back the transactions a failure left prepared in PostgreSQL"
                            + " (pg_prepared_xacts): "
                            + e.getMessage(),
                    e);
        } finally {
            if (connection != null) {
                try {
                    connection.close();
                } catch (Exception ignored) {
                    // closing a recovery connection
                }
            }
        }
    }

    private static String key(byte[] globalTransactionId, long checkpoint) {
        return Arrays.toString(Arrays.copyOf(globalTransactionId, JobID.SIZE + 4))
                + ":"
                + checkpoint;
    }

    /** One state listing every transaction of the given states (several after scaling down). */
    static Collection<JdbcWriterState> merged(Collection<JdbcWriterState> states) {
        if (states.size() <= 1) {
            return states;
        }
        List<TransactionId> prepared = new ArrayList<>();
        List<TransactionId> hanging = new ArrayList<>();
        for (JdbcWriterState state : states) {
            prepared.addAll(state.getPrepared());
            hanging.addAll(state.getHanging());
        }
        return List.of(JdbcWriterState.of(prepared, hanging));
    }

    /** The job id the connector builds XIDs from: the real one mixed with the sink name's hash. */
    static JobID namespacedJobId(JobID jobId, String sinkName) {
        UUID h = UUID.nameUUIDFromBytes(sinkName.getBytes(StandardCharsets.UTF_8));
        return new JobID(
                jobId.getLowerPart() ^ h.getLeastSignificantBits(),
                jobId.getUpperPart() ^ h.getMostSignificantBits());
    }

    @Override
    public SimpleVersionedSerializer<JdbcWriterState> getWriterStateSerializer() {
        return delegate.getWriterStateSerializer();
    }

    @Override
    public Committer<JdbcCommitable> createCommitter(CommitterInitContext context)
            throws IOException {
        return delegate.createCommitter(context);
    }

    @Override
    public SimpleVersionedSerializer<JdbcCommitable> getCommittableSerializer() {
        return delegate.getCommittableSerializer();
    }

    /** Passes everything through except the job id. */
    static final class NamespacedContext implements WriterInitContext {
        private final WriterInitContext context;
        private final JobInfo jobInfo;

        NamespacedContext(WriterInitContext context, String sinkName) {
            this.context = context;
            JobID id = namespacedJobId(context.getJobInfo().getJobId(), sinkName);
            String jobName = context.getJobInfo().getJobName();
            this.jobInfo =
                    new JobInfo() {
                        @Override
                        public JobID getJobId() {
                            return id;
                        }

                        @Override
                        public String getJobName() {
                            return jobName;
                        }
                    };
        }

        @Override
        public JobInfo getJobInfo() {
            return jobInfo;
        }

        @Override
        public UserCodeClassLoader getUserCodeClassLoader() {
            return context.getUserCodeClassLoader();
        }

        @Override
        public MailboxExecutor getMailboxExecutor() {
            return context.getMailboxExecutor();
        }

        @Override
        public ProcessingTimeService getProcessingTimeService() {
            return context.getProcessingTimeService();
        }

        @Override
        public SinkWriterMetricGroup metricGroup() {
            return context.metricGroup();
        }

        @Override
        public SerializationSchema.InitializationContext
                asSerializationSchemaInitializationContext() {
            return context.asSerializationSchemaInitializationContext();
        }

        @Override
        public boolean isObjectReuseEnabled() {
            return context.isObjectReuseEnabled();
        }

        @Override
        public <T> TypeSerializer<T> createInputSerializer() {
            return context.createInputSerializer();
        }

        @Override
        public <MetaT> Optional<Consumer<MetaT>> metadataConsumer() {
            return context.metadataConsumer();
        }

        @Override
        public OptionalLong getRestoredCheckpointId() {
            return context.getRestoredCheckpointId();
        }

        @Override
        public TaskInfo getTaskInfo() {
            return context.getTaskInfo();
        }
    }

    static final class Writer<IN>
            implements StatefulSinkWriter<IN, JdbcWriterState>,
                    CommittingSinkWriter<IN, JdbcCommitable> {
        private final JdbcWriter<IN> writer;
        private boolean endOfInput;
        private List<JdbcWriterState> stateAfterEndOfInput;

        Writer(JdbcWriter<IN> writer) {
            this.writer = writer;
        }

        @Override
        public void write(IN element, Context context) throws IOException, InterruptedException {
            writer.write(element, context);
        }

        @Override
        public void writeWatermark(Watermark watermark) throws IOException, InterruptedException {
            writer.writeWatermark(watermark);
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            writer.flush(endOfInput);
            if (endOfInput) {
                this.endOfInput = true;
            }
        }

        @Override
        public Collection<JdbcCommitable> prepareCommit() throws IOException, InterruptedException {
            return writer.prepareCommit();
        }

        @Override
        public List<JdbcWriterState> snapshotState(long checkpointId) throws IOException {
            if (stateAfterEndOfInput != null) {
                return stateAfterEndOfInput;
            }
            List<JdbcWriterState> state = writer.snapshotState(checkpointId);
            if (endOfInput) {
                stateAfterEndOfInput = state;
            }
            return state;
        }

        @Override
        public void close() {
            try {
                writer.close();
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) { // also the driver's AssertionError when run with -ea
                LOG.warn(
                        "closing the PostgreSQL writer failed; its unwritten rows arrived after the"
                                + " last checkpoint and are written again after the restart",
                        e);
            }
        }
    }
}
