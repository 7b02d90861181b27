package io.telemetra.testing;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Wraps a production source so that its reader throws after {@code recordsPerAttempt} records of an
 * attempt, once that attempt has seen a checkpoint complete, until {@code failures} failures have
 * happened (counted in this JVM: the MiniCluster runs in it). The records, splits and state are the
 * wrapped source's own, so recovery is the real one.
 */
public final class FailingSource<T, S extends SourceSplit, E>
        implements Source<T, S, E>, ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;

    /** Failures injected so far, across attempts; reset by the test. */
    public static final AtomicInteger INJECTED = new AtomicInteger();

    private final Source<T, S, E> delegate;
    private final int recordsPerAttempt;
    private final int failures;

    public FailingSource(Source<T, S, E> delegate, int recordsPerAttempt, int failures) {
        this.delegate = delegate;
        this.recordsPerAttempt = recordsPerAttempt;
        this.failures = failures;
    }

    /** The wrapped source's record type (Flink cannot infer it through the wrapper). */
    @Override
    @SuppressWarnings("unchecked")
    public TypeInformation<T> getProducedType() {
        return ((ResultTypeQueryable<T>) delegate).getProducedType();
    }

    @Override
    public Boundedness getBoundedness() {
        return delegate.getBoundedness();
    }

    @Override
    public SplitEnumerator<S, E> createEnumerator(SplitEnumeratorContext<S> ctx) throws Exception {
        return delegate.createEnumerator(ctx);
    }

    @Override
    public SplitEnumerator<S, E> restoreEnumerator(SplitEnumeratorContext<S> ctx, E checkpoint)
            throws Exception {
        return delegate.restoreEnumerator(ctx, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<S> getSplitSerializer() {
        return delegate.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<E> getEnumeratorCheckpointSerializer() {
        return delegate.getEnumeratorCheckpointSerializer();
    }

    @Override
    public SourceReader<T, S> createReader(SourceReaderContext ctx) throws Exception {
        return new Reader<>(delegate.createReader(ctx), recordsPerAttempt, failures);
    }

    private static final class Reader<T, S extends SourceSplit> implements SourceReader<T, S> {
        private final SourceReader<T, S> delegate;
        private final int recordsPerAttempt;
        private final int failures;
        private long records;
        private int checkpointsCompleted;

        Reader(SourceReader<T, S> delegate, int recordsPerAttempt, int failures) {
            this.delegate = delegate;
            this.recordsPerAttempt = recordsPerAttempt;
            this.failures = failures;
        }

        @Override
        public void start() {
            delegate.start();
        }

        @Override
        public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
            if (records >= recordsPerAttempt && INJECTED.get() < failures) {
                if (checkpointsCompleted > 0) {
                    throw new RuntimeException(
                            "injected failure #"
                                    + INJECTED.incrementAndGet()
                                    + " after "
                                    + records);
                }
                return InputStatus.NOTHING_AVAILABLE; // hold on until a checkpoint completes
            }
            return delegate.pollNext(new Counting<>(output, this));
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            if (records >= recordsPerAttempt && INJECTED.get() < failures) {
                return CompletableFuture.runAsync(
                        () -> {}, CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));
            }
            return delegate.isAvailable();
        }

        @Override
        public List<S> snapshotState(long checkpointId) {
            return delegate.snapshotState(checkpointId);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            checkpointsCompleted++;
            delegate.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void addSplits(List<S> splits) {
            delegate.addSplits(splits);
        }

        @Override
        public void notifyNoMoreSplits() {
            delegate.notifyNoMoreSplits();
        }

        @Override
        public void handleSourceEvents(org.apache.flink.api.connector.source.SourceEvent event) {
            delegate.handleSourceEvents(event);
        }

        @Override
        public void pauseOrResumeSplits(
                java.util.Collection<String> toPause, java.util.Collection<String> toResume) {
            delegate.pauseOrResumeSplits(toPause, toResume);
        }

        @Override
        public void close() throws Exception {
            delegate.close();
        }
    }

    /** Counts the records emitted through a split's output. */
    private static class CountingOutput<T> implements SourceOutput<T> {
        private final SourceOutput<T> out;
        final Reader<T, ?> reader;

        CountingOutput(SourceOutput<T> out, Reader<T, ?> reader) {
            this.out = out;
            this.reader = reader;
        }

        @Override
        public void collect(T record) {
            reader.records++;
            out.collect(record);
        }

        @Override
        public void collect(T record, long timestamp) {
            reader.records++;
            out.collect(record, timestamp);
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            out.emitWatermark(watermark);
        }

        @Override
        public void markIdle() {
            out.markIdle();
        }

        @Override
        public void markActive() {
            out.markActive();
        }
    }

    /** Counts the records the wrapped reader emits, per split output too. */
    private static final class Counting<T> extends CountingOutput<T> implements ReaderOutput<T> {
        private final ReaderOutput<T> out;

        Counting(ReaderOutput<T> out, Reader<T, ?> reader) {
            super(out, reader);
            this.out = out;
        }

        @Override
        public SourceOutput<T> createOutputForSplit(String splitId) {
            return new CountingOutput<>(out.createOutputForSplit(splitId), reader);
        }

        @Override
        public void releaseOutputForSplit(String splitId) {
            out.releaseOutputForSplit(splitId);
        }
    }
}
