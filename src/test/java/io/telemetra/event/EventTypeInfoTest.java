package io.telemetra.event;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** Events cross the key-by with {@link EventTypeInfo}'s serializer and arrive unchanged. */
class EventTypeInfoTest {

    @Test
    void flinkUsesTheExplicitSerializerNotThePojoOne() {
        assertInstanceOf(EventTypeInfo.class, TypeInformation.of(Event.class));
    }

    @Test
    void everyKindOfEventSurvivesTheRoundTrip() throws Exception {
        Event chat =
                Event.chat(
                        "stream-é 🎮",
                        1_750_000_000_123L,
                        "user\"1",
                        "PogChamp what a play",
                        new String[] {"PogChamp", "PogChamp", "LUL"});
        chat.sentiment = -0.4375;
        chat.partition = 3;
        chat.offset = 9_876_543_210L;
        Event noEmotes = Event.chat("s", -5, "u", "", null);
        Event emptyEmotes = Event.chat("s", 0, null, null, new String[0]);
        Event viewers = Event.viewer("s", 42, 123_456_789L);
        viewers.partition = 1;
        viewers.offset = 7;
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (Event e : List.of(chat, noEmotes, emptyEmotes, viewers)) {
            EventTypeInfo.Serializer.INSTANCE.serialize(e, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        for (Event e : List.of(chat, noEmotes, emptyEmotes, viewers)) {
            Event back = EventTypeInfo.Serializer.INSTANCE.deserialize(in);
            assertEquals(e.kind, back.kind);
            assertEquals(e.streamId, back.streamId);
            assertEquals(e.timestamp, back.timestamp);
            assertEquals(e.userId, back.userId);
            assertEquals(e.message, back.message);
            assertArrayEquals(e.emotes, back.emotes);
            assertEquals(e.sentiment, back.sentiment);
            assertEquals(e.viewerCount, back.viewerCount);
            assertEquals(e.partition, back.partition);
            assertEquals(e.offset, back.offset);
            Event copy = EventTypeInfo.Serializer.INSTANCE.copy(e);
            assertEquals(
                    e.streamId + e.message + e.timestamp,
                    copy.streamId + copy.message + copy.timestamp);
        }
        assertEquals(0, in.available(), "every byte read back");
    }
}
