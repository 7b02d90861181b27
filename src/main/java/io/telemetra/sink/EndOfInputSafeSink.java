package io.telemetra.sink;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
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
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Wraps the exactly-once {@link JdbcSink} so that a bounded (replay) run ends cleanly.
 *
 * <p>Why: after end of input Flink no longer calls {@code prepareCommit()} before a checkpoint, but
 * flink-connector-jdbc 4.0.0's {@link JdbcWriter#snapshotState} still opens a new XA transaction at
 * every snapshot. The first checkpoint after end of input commits the last data and opens an empty
 * transaction; a second one (the first was declined or timed out, or raced the task's shutdown) tries
 * to open another while that one is open and fails with {@code IllegalStateException: currentXid not
 * null}, restarting a job whose rows were all written.
 *
 * <p>The fix: the first snapshot after end of input goes to the connector as usual (it commits the
 * final data); later ones return that same state. It lists no new data, only the empty transaction,
 * which a restore rolls back. State, serializers and committer are the connector's own, so savepoints
 * stay compatible.
 */
public final class EndOfInputSafeSink<IN>
        implements Sink<IN>, SupportsWriterState<IN, JdbcWriterState>, SupportsCommitter<JdbcCommitable> {
    private static final long serialVersionUID = 1L;

    private final JdbcSink<IN> delegate;

    public EndOfInputSafeSink(JdbcSink<IN> delegate) {
        this.delegate = delegate;
    }

    @Override
    public Writer<IN> createWriter(WriterInitContext context) throws IOException {
        return new Writer<>(delegate.createWriter(context));
    }

    @Override
    public StatefulSinkWriter<IN, JdbcWriterState> restoreWriter(
            WriterInitContext context, Collection<JdbcWriterState> recoveredState) throws IOException {
        return new Writer<>(delegate.restoreWriter(context, recoveredState));
    }

    @Override
    public SimpleVersionedSerializer<JdbcWriterState> getWriterStateSerializer() {
        return delegate.getWriterStateSerializer();
    }

    @Override
    public Committer<JdbcCommitable> createCommitter(CommitterInitContext context) throws IOException {
        return delegate.createCommitter(context);
    }

    @Override
    public SimpleVersionedSerializer<JdbcCommitable> getCommittableSerializer() {
        return delegate.getCommittableSerializer();
    }

    static final class Writer<IN>
            implements StatefulSinkWriter<IN, JdbcWriterState>, CommittingSinkWriter<IN, JdbcCommitable> {
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
        public void close() throws Exception {
            writer.close();
        }
    }
}
