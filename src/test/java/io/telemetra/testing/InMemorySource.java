package io.telemetra.testing;

import io.telemetra.event.EventParser;
import io.telemetra.event.ParsedRecord;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A bounded source over raw payloads in memory, parsed by the job's own {@link EventParser} as the
 * Kafka source would (one split standing for one partition), for pipeline tests without a broker. A
 * {@link #pause} between payloads lets the job's periodic watermark catch up, so a record after it
 * is judged against the watermark of everything before it, as in a live stream.
 */
public final class InMemorySource
        implements Source<ParsedRecord, InMemorySource.Split, Void>,
                ResultTypeQueryable<ParsedRecord> {
    private static final long serialVersionUID = 1L;

    /** A payload, or a pause of the reader (payload null). */
    public record Item(byte[] payload, long pauseMillis) implements Serializable {}

    public static Item record(byte[] payload) {
        return new Item(payload, 0);
    }

    /** Long enough for several periodic watermarks (200 ms apart by default). */
    public static Item pause() {
        return new Item(null, 1000);
    }

    private final byte kind;
    private final String topic;
    private final List<Item> items;

    /**
     * @param kind {@code Event.CHAT} or {@code Event.VIEWER}
     */
    public InMemorySource(byte kind, String topic, List<Item> items) {
        this.kind = kind;
        this.topic = topic;
        this.items = new ArrayList<>(items);
    }

    @Override
    public TypeInformation<ParsedRecord> getProducedType() {
        return TypeInformation.of(ParsedRecord.class);
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SplitEnumerator<Split, Void> createEnumerator(SplitEnumeratorContext<Split> ctx) {
        return new Enumerator(ctx, new ArrayList<>(List.of(new Split(0))));
    }

    @Override
    public SplitEnumerator<Split, Void> restoreEnumerator(
            SplitEnumeratorContext<Split> ctx, Void checkpoint) {
        // the split was handed out before any checkpoint; its reader restores it
        return new Enumerator(ctx, new ArrayList<>());
    }

    @Override
    public SimpleVersionedSerializer<Split> getSplitSerializer() {
        return new SplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<Void> getEnumeratorCheckpointSerializer() {
        return new SimpleVersionedSerializer<>() {
            @Override
            public int getVersion() {
                return 1;
            }

            @Override
            public byte[] serialize(Void v) {
                return new byte[0];
            }

            @Override
            public Void deserialize(int version, byte[] bytes) {
                return null;
            }
        };
    }

    @Override
    public SourceReader<ParsedRecord, Split> createReader(SourceReaderContext ctx) {
        return new Reader();
    }

    /** The one split: the position of the next item. */
    public record Split(int next) implements SourceSplit {
        @Override
        public String splitId() {
            return "0";
        }
    }

    private static final class SplitSerializer implements SimpleVersionedSerializer<Split> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Split s) {
            return ByteBuffer.allocate(4).putInt(s.next()).array();
        }

        @Override
        public Split deserialize(int version, byte[] bytes) {
            return new Split(ByteBuffer.wrap(bytes).getInt());
        }
    }

    private static final class Enumerator implements SplitEnumerator<Split, Void> {
        private final SplitEnumeratorContext<Split> ctx;
        private final List<Split> unassigned;

        Enumerator(SplitEnumeratorContext<Split> ctx, List<Split> unassigned) {
            this.ctx = ctx;
            this.unassigned = unassigned;
        }

        @Override
        public void start() {}

        @Override
        public void handleSplitRequest(int subtaskId, String host) {}

        @Override
        public void addSplitsBack(List<Split> splits, int subtaskId) {
            unassigned.addAll(splits);
            addReader(subtaskId);
        }

        @Override
        public void addReader(int subtaskId) {
            // every split to the first reader that asks, then no more for anyone
            if (!unassigned.isEmpty()) {
                unassigned.forEach(s -> ctx.assignSplit(s, subtaskId));
                unassigned.clear();
            }
            ctx.signalNoMoreSplits(subtaskId);
        }

        @Override
        public Void snapshotState(long checkpointId) {
            return null;
        }

        @Override
        public void close() {}
    }

    private final class Reader implements SourceReader<ParsedRecord, Split> {
        private final EventParser parser = new EventParser(5 * 60_000);
        private Split split;
        private boolean noMoreSplits;
        private CompletableFuture<Void> available = new CompletableFuture<>();

        @Override
        public void start() {}

        @Override
        public InputStatus pollNext(ReaderOutput<ParsedRecord> out) {
            if (split == null) {
                return noMoreSplits ? InputStatus.END_OF_INPUT : InputStatus.NOTHING_AVAILABLE;
            }
            int i = split.next();
            if (i >= items.size()) {
                return InputStatus.END_OF_INPUT;
            }
            Item item = items.get(i);
            split = new Split(i + 1);
            if (item.payload() == null) {
                available =
                        CompletableFuture.runAsync(
                                () -> {},
                                CompletableFuture.delayedExecutor(
                                        item.pauseMillis(), TimeUnit.MILLISECONDS));
                return InputStatus.NOTHING_AVAILABLE;
            }
            out.collect(
                    parser.parse(
                            kind,
                            topic,
                            0,
                            i,
                            Long.MIN_VALUE,
                            item.payload(),
                            System.currentTimeMillis()));
            return InputStatus.MORE_AVAILABLE;
        }

        @Override
        public List<Split> snapshotState(long checkpointId) {
            return split == null ? List.of() : List.of(split);
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return available;
        }

        @Override
        public void addSplits(List<Split> splits) {
            split = splits.get(0);
            available.complete(null);
        }

        @Override
        public void notifyNoMoreSplits() {
            noMoreSplits = true;
            available.complete(null);
        }

        @Override
        public void close() {}
    }
}
