package io.telemetra.window;

import io.telemetra.types.ObjectSerializer;
import io.telemetra.types.SingletonTypeInfo;
import io.telemetra.types.Utf8;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Type information for the window results as they cross the key-by to the moment detector: one
 * record per stream per slide, at 100,000 streams about as many records as events, where Flink's
 * reflective POJO serializer spent a field access by reflection and a null flag per field.
 *
 * <p>Deliberately not declared on {@link WindowSummary} with {@code @TypeInfo}: the exactly-once
 * sink keeps the rows of an unfinished checkpoint in its writer state with the type information it
 * is given ({@code TypeInformation.of(WindowSummary.class)}, the POJO serializer), and that state
 * format stays as it is. Only the stream out of the windows uses this one, and no state holds it.
 */
public final class WindowSummaryTypeInfo extends SingletonTypeInfo<WindowSummary> {
    private static final long serialVersionUID = 1L;

    public WindowSummaryTypeInfo() {
        super(WindowSummary.class, Serializer.INSTANCE);
    }

    public static final class Serializer extends ObjectSerializer<WindowSummary> {
        private static final long serialVersionUID = 1L;
        public static final Serializer INSTANCE = new Serializer();

        /** Bits of the nullable fields, and the anomaly flag. */
        private static final int SENTIMENT = 1, VIEWERS = 2, Z_SCORE = 4, ANOMALY = 8;

        @Override
        public WindowSummary createInstance() {
            return new WindowSummary();
        }

        @Override
        public WindowSummary copy(WindowSummary from) {
            WindowSummary to = new WindowSummary();
            to.streamId = from.streamId;
            to.windowStart = from.windowStart;
            to.windowEnd = from.windowEnd;
            to.chatCount = from.chatCount;
            to.uniqueChatters = from.uniqueChatters;
            to.avgSentiment = from.avgSentiment;
            to.positiveCount = from.positiveCount;
            to.negativeCount = from.negativeCount;
            to.topEmotes = from.topEmotes == null ? null : from.topEmotes.clone();
            to.topEmoteCount = from.topEmoteCount;
            to.chatRate = from.chatRate;
            to.avgViewers = from.avgViewers;
            to.zScore = from.zScore;
            to.anomaly = from.anomaly;
            return to;
        }

        @Override
        public void serialize(WindowSummary s, DataOutputView out) throws IOException {
            Utf8.write(s.streamId, out);
            out.writeLong(s.windowStart);
            out.writeLong(s.windowEnd);
            out.writeLong(s.chatCount);
            out.writeLong(s.uniqueChatters);
            out.writeLong(s.positiveCount);
            out.writeLong(s.negativeCount);
            out.writeLong(s.topEmoteCount);
            out.writeDouble(s.chatRate);
            int flags =
                    (s.avgSentiment != null ? SENTIMENT : 0)
                            | (s.avgViewers != null ? VIEWERS : 0)
                            | (s.zScore != null ? Z_SCORE : 0)
                            | (s.anomaly ? ANOMALY : 0);
            out.writeByte(flags);
            if (s.avgSentiment != null) {
                out.writeDouble(s.avgSentiment);
            }
            if (s.avgViewers != null) {
                out.writeDouble(s.avgViewers);
            }
            if (s.zScore != null) {
                out.writeDouble(s.zScore);
            }
            if (s.topEmotes == null) {
                out.writeInt(-1);
            } else {
                out.writeInt(s.topEmotes.length);
                for (String emote : s.topEmotes) {
                    Utf8.write(emote, out);
                }
            }
        }

        @Override
        public WindowSummary deserialize(DataInputView in) throws IOException {
            WindowSummary s = new WindowSummary();
            s.streamId = Utf8.read(in);
            s.windowStart = in.readLong();
            s.windowEnd = in.readLong();
            s.chatCount = in.readLong();
            s.uniqueChatters = in.readLong();
            s.positiveCount = in.readLong();
            s.negativeCount = in.readLong();
            s.topEmoteCount = in.readLong();
            s.chatRate = in.readDouble();
            int flags = in.readByte();
            s.avgSentiment = (flags & SENTIMENT) != 0 ? in.readDouble() : null;
            s.avgViewers = (flags & VIEWERS) != 0 ? in.readDouble() : null;
            s.zScore = (flags & Z_SCORE) != 0 ? in.readDouble() : null;
            s.anomaly = (flags & ANOMALY) != 0;
            int emotes = in.readInt();
            if (emotes >= 0) {
                s.topEmotes = new String[emotes];
                for (int i = 0; i < emotes; i++) {
                    s.topEmotes[i] = Utf8.read(in);
                }
            }
            return s;
        }

        @Override
        public TypeSerializerSnapshot<WindowSummary> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<WindowSummary> {
        public Snapshot() {
            super(() -> Serializer.INSTANCE);
        }
    }
}
