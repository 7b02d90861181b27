package io.telemetra.window;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.telemetra.Pipeline;
import io.telemetra.event.Event;
import java.time.Duration;
import java.util.List;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/** Window results cross the key-by to the moment detector with the explicit serializer. */
class WindowSummaryTypeInfoTest {

    @Test
    void theWindowsHandTheirResultsOnWithTheExplicitSerializer() {
        var env = StreamExecutionEnvironment.getExecutionEnvironment();
        var windows =
                Pipeline.windows(
                        env.fromData(Event.viewer("s", 0, 1)),
                        new io.telemetra.config.TelemetraConfig.Windows(
                                Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ZERO, 12));
        assertInstanceOf(WindowSummaryTypeInfo.class, windows.getType());
    }

    @Test
    void everyFieldSurvivesTheRoundTripWithAndWithoutItsNulls() throws Exception {
        WindowSummary full = new WindowSummary();
        full.streamId = "stream-é 🎮";
        full.windowStart = 1_750_000_000_000L;
        full.windowEnd = 1_750_000_060_000L;
        full.chatCount = 1234;
        full.uniqueChatters = 321;
        full.avgSentiment = -0.125;
        full.positiveCount = 40;
        full.negativeCount = 60;
        full.topEmotes = new String[] {"PogChamp", "LUL"};
        full.topEmoteCount = 77;
        full.chatRate = 20.5666;
        full.avgViewers = 4321.5;
        full.zScore = 3.75;
        full.anomaly = true;
        WindowSummary empty = new WindowSummary();
        empty.streamId = "s";
        WindowSummary noEmotes = new WindowSummary();
        noEmotes.streamId = "";
        noEmotes.topEmotes = new String[0];
        noEmotes.avgViewers = 0.0;
        List<WindowSummary> all = List.of(full, empty, noEmotes);
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (WindowSummary s : all) {
            WindowSummaryTypeInfo.Serializer.INSTANCE.serialize(s, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        for (WindowSummary s : all) {
            WindowSummary back = WindowSummaryTypeInfo.Serializer.INSTANCE.deserialize(in);
            for (WindowSummary t :
                    List.of(back, WindowSummaryTypeInfo.Serializer.INSTANCE.copy(s))) {
                assertEquals(s.streamId, t.streamId);
                assertEquals(s.windowStart, t.windowStart);
                assertEquals(s.windowEnd, t.windowEnd);
                assertEquals(s.chatCount, t.chatCount);
                assertEquals(s.uniqueChatters, t.uniqueChatters);
                assertEquals(s.avgSentiment, t.avgSentiment);
                assertEquals(s.positiveCount, t.positiveCount);
                assertEquals(s.negativeCount, t.negativeCount);
                assertArrayEquals(s.topEmotes, t.topEmotes);
                assertEquals(s.topEmoteCount, t.topEmoteCount);
                assertEquals(s.chatRate, t.chatRate);
                assertEquals(s.avgViewers, t.avgViewers);
                assertEquals(s.zScore, t.zScore);
                assertEquals(s.anomaly, t.anomaly);
            }
        }
        assertEquals(0, in.available(), "every byte read back");
    }
}
