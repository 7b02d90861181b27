package io.telemetra.window;

import io.telemetra.types.ObjectSerializer;
import io.telemetra.types.SingletonTypeInfo;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.HashMap;
import java.util.Map;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink type information for {@link WindowAccumulator}, so window state never falls back to Kryo.
 *
 * <p>Every value starts with a format version byte: a later release that changes the layout keeps a
 * reader for each older version and restores old savepoints value by value.
 */
public final class WindowAccumulatorTypeInfo extends SingletonTypeInfo<WindowAccumulator> {
    private static final long serialVersionUID = 1L;

    public WindowAccumulatorTypeInfo() {
        super(WindowAccumulator.class, Serializer.INSTANCE);
    }

    public static final class Factory extends TypeInfoFactory<WindowAccumulator> {
        @Override
        public TypeInformation<WindowAccumulator> createTypeInfo(
                Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new WindowAccumulatorTypeInfo();
        }
    }

    /**
     * Serializer of {@link WindowAccumulator}; the sketch travels in DataSketches' compact form.
     */
    public static final class Serializer extends ObjectSerializer<WindowAccumulator> {
        private static final long serialVersionUID = 1L;
        public static final Serializer INSTANCE = new Serializer();
        static final byte FORMAT_V1 = 1;

        @Override
        public WindowAccumulator createInstance() {
            return new WindowAccumulator();
        }

        @Override
        public WindowAccumulator copy(WindowAccumulator from) {
            WindowAccumulator to = new WindowAccumulator();
            to.chatCount = from.chatCount;
            to.sentimentSum = from.sentimentSum;
            to.positiveCount = from.positiveCount;
            to.negativeCount = from.negativeCount;
            to.viewerSum = from.viewerSum;
            to.viewerEvents = from.viewerEvents;
            to.emoteCounts = from.emoteCounts == null ? null : new HashMap<>(from.emoteCounts);
            to.chatters = from.chatters == null ? null : from.chatters.copy();
            return to;
        }

        @Override
        public void serialize(WindowAccumulator a, DataOutputView out) throws IOException {
            out.writeByte(FORMAT_V1);
            out.writeLong(a.chatCount);
            out.writeLong(a.sentimentSum);
            out.writeLong(a.positiveCount);
            out.writeLong(a.negativeCount);
            out.writeLong(a.viewerSum);
            out.writeLong(a.viewerEvents);
            if (a.emoteCounts == null) {
                out.writeInt(0);
            } else {
                out.writeInt(a.emoteCounts.size());
                for (Map.Entry<String, Integer> e : a.emoteCounts.entrySet()) {
                    out.writeUTF(e.getKey());
                    out.writeInt(e.getValue());
                }
            }
            if (a.chatters == null) {
                out.writeInt(0);
            } else {
                byte[] sketch = a.chatters.toCompactByteArray();
                out.writeInt(sketch.length);
                out.write(sketch);
            }
        }

        @Override
        public WindowAccumulator deserialize(DataInputView in) throws IOException {
            byte format = in.readByte();
            if (format != FORMAT_V1) {
                throw new IOException(
                        "unknown WindowAccumulator format "
                                + format
                                + "; this state was written by a newer Telemetra release");
            }
            WindowAccumulator a = new WindowAccumulator();
            a.chatCount = in.readLong();
            a.sentimentSum = in.readLong();
            a.positiveCount = in.readLong();
            a.negativeCount = in.readLong();
            a.viewerSum = in.readLong();
            a.viewerEvents = in.readLong();
            int emotes = in.readInt();
            if (emotes > 0) {
                a.emoteCounts = new HashMap<>(emotes * 2);
                for (int i = 0; i < emotes; i++) {
                    a.emoteCounts.put(in.readUTF(), in.readInt());
                }
            }
            int sketchBytes = in.readInt();
            if (sketchBytes > 0) {
                byte[] sketch = new byte[sketchBytes];
                in.readFully(sketch);
                a.chatters = HllSketch.heapify(Memory.wrap(sketch));
            }
            return a;
        }

        @Override
        public TypeSerializerSnapshot<WindowAccumulator> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    /** Snapshot of the serializer; the format byte in every value carries the layout version. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<WindowAccumulator> {
        public Snapshot() {
            super(() -> Serializer.INSTANCE);
        }
    }
}
