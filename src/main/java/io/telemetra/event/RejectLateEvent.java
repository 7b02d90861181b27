package io.telemetra.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

/**
 * Turns an event that arrived after all its windows fired into a {@code late} {@link Rejection}, so
 * it is kept (with its Kafka position) rather than dropped. The original bytes are not carried
 * through the pipeline to keep the per-event path lean, so the payload is the event re-rendered as
 * JSON with the fields the job read; the exact original is at the recorded topic, partition and
 * offset.
 */
public class RejectLateEvent extends RichMapFunction<Event, Rejection> {
    private static final long serialVersionUID = 1L;

    private final String chatTopic;
    private final String viewerTopic;
    private transient JsonFactory json;
    private transient Counter late;

    public RejectLateEvent(String chatTopic, String viewerTopic) {
        this.chatTopic = chatTopic;
        this.viewerTopic = viewerTopic;
    }

    @Override
    public void open(OpenContext ctx) {
        json = new JsonFactory();
        late = getRuntimeContext().getMetricGroup().counter("eventsLate");
    }

    @Override
    public Rejection map(Event e) {
        late.inc();
        return Rejection.of(
                e.isChat() ? chatTopic : viewerTopic,
                e.partition,
                e.offset,
                render(json, e),
                RejectReason.LATE,
                "arrived after every window it belongs to had been written",
                -1);
    }

    static byte[] render(JsonFactory json, Event e) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(128);
        try (JsonGenerator g = json.createGenerator(buf)) {
            g.writeStartObject();
            g.writeStringField("stream_id", e.streamId);
            if (e.isChat()) {
                g.writeStringField("user_id", e.userId);
                g.writeStringField("message", e.message);
                if (e.emotes != null) {
                    g.writeArrayFieldStart("emotes");
                    for (String emote : e.emotes) {
                        g.writeString(emote);
                    }
                    g.writeEndArray();
                }
            } else {
                g.writeNumberField("viewer_count", e.viewerCount);
            }
            g.writeNumberField("timestamp", e.timestamp);
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return buf.toByteArray();
    }
}
