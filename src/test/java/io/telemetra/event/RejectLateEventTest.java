package io.telemetra.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RejectLateEventTest {
    @Test
    void lateEventIsRenderedBackToJsonThatParsesToTheSameEvent() {
        Event e = Event.chat("s\"1", 1234L, "u", "hi \"there\"", new String[] {"LUL"});
        byte[] json = RejectLateEvent.render(new JsonFactory(), e);
        ParsedRecord again = new EventParser(0).parse(Event.CHAT, "t", 0, 0, 0, json, 10_000);
        assertTrue(again.isValid(), new String(json, StandardCharsets.UTF_8));
        assertEquals("s\"1", again.event.streamId);
        assertEquals("hi \"there\"", again.event.message);
        assertEquals(1234L, again.event.timestamp);
        assertEquals("LUL", again.event.emotes[0]);
    }
}
