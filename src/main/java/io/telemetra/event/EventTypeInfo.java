package io.telemetra.event;

import io.telemetra.types.ObjectSerializer;
import io.telemetra.types.SingletonTypeInfo;
import io.telemetra.types.Utf8;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink type information for {@link Event}: every event crosses the key-by to the windows, and
 * Flink's reflective POJO serializer spent about a tenth of the job's time there (a field by
 * reflection, a null flag per field, both kinds' fields on every record). This serializer writes
 * only the fields of the event's kind. Events are never kept in state, so the format can change
 * between releases freely.
 */
public final class EventTypeInfo extends SingletonTypeInfo<Event> {
    private static final long serialVersionUID = 1L;

    public EventTypeInfo() {
        super(Event.class, Serializer.INSTANCE);
    }

    public static final class Factory extends TypeInfoFactory<Event> {
        @Override
        public TypeInformation<Event> createTypeInfo(
                Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new EventTypeInfo();
        }
    }

    /** Kind, stream, time and Kafka origin; then the chat or the viewer fields. */
    public static final class Serializer extends ObjectSerializer<Event> {
        private static final long serialVersionUID = 1L;
        public static final Serializer INSTANCE = new Serializer();

        @Override
        public Event createInstance() {
            return new Event();
        }

        @Override
        public Event copy(Event from) {
            Event to = new Event();
            to.kind = from.kind;
            to.streamId = from.streamId;
            to.timestamp = from.timestamp;
            to.userId = from.userId;
            to.message = from.message;
            to.emotes = from.emotes == null ? null : from.emotes.clone();
            to.sentiment = from.sentiment;
            to.viewerCount = from.viewerCount;
            to.partition = from.partition;
            to.offset = from.offset;
            return to;
        }

        @Override
        public void serialize(Event e, DataOutputView out) throws IOException {
            out.writeByte(e.kind);
            Utf8.write(e.streamId, out);
            out.writeLong(e.timestamp);
            out.writeInt(e.partition);
            out.writeLong(e.offset);
            if (e.kind == Event.CHAT) {
                Utf8.write(e.userId, out);
                Utf8.write(e.message, out);
                out.writeDouble(e.sentiment);
                if (e.emotes == null) {
                    out.writeInt(-1);
                } else {
                    out.writeInt(e.emotes.length);
                    for (String emote : e.emotes) {
                        Utf8.write(emote, out);
                    }
                }
            } else {
                out.writeLong(e.viewerCount);
            }
        }

        @Override
        public Event deserialize(DataInputView in) throws IOException {
            Event e = new Event();
            e.kind = in.readByte();
            e.streamId = Utf8.read(in);
            e.timestamp = in.readLong();
            e.partition = in.readInt();
            e.offset = in.readLong();
            if (e.kind == Event.CHAT) {
                e.userId = Utf8.read(in);
                e.message = Utf8.read(in);
                e.sentiment = in.readDouble();
                int emotes = in.readInt();
                if (emotes >= 0) {
                    e.emotes = new String[emotes];
                    for (int i = 0; i < emotes; i++) {
                        e.emotes[i] = Utf8.read(in);
                    }
                }
            } else {
                e.viewerCount = in.readLong();
            }
            return e;
        }

        @Override
        public TypeSerializerSnapshot<Event> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Event> {
        public Snapshot() {
            super(() -> Serializer.INSTANCE);
        }
    }
}
