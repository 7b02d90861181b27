package io.telemetra.event;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * A valid chat or viewer event, as the windows consume it. One flat POJO for both kinds so that a
 * single keyed window sees a stream's chat and viewer events together; fields of the other kind
 * stay at their defaults. {@link #sentiment} and {@link #emotes} are filled by the sentiment step,
 * not the parser.
 *
 * <p>{@link #partition} and {@link #offset} locate the record in Kafka, so an event that turns out
 * late can still be written to {@code rejected_events} with its origin.
 *
 * <p>Its serializer is {@link EventTypeInfo}'s, not Flink's POJO serializer.
 */
@TypeInfo(EventTypeInfo.Factory.class)
public class Event {
    public static final byte CHAT = 1;
    public static final byte VIEWER = 2;

    /**
     * {@link #CHAT} or {@link #VIEWER}; a byte rather than an enum keeps the serialized record
     * small.
     */
    public byte kind;

    public String streamId;
    public long timestamp;

    public String userId;
    public String message;

    /** Emotes of the message, one entry per occurrence; from the record, else from the lexicon. */
    public String[] emotes;

    public double sentiment;

    public long viewerCount;

    public int partition;
    public long offset;

    public Event() {}

    public static Event chat(
            String streamId, long timestamp, String userId, String message, String[] emotes) {
        Event e = new Event();
        e.kind = CHAT;
        e.streamId = streamId;
        e.timestamp = timestamp;
        e.userId = userId;
        e.message = message;
        e.emotes = emotes;
        return e;
    }

    public static Event viewer(String streamId, long timestamp, long viewerCount) {
        Event e = new Event();
        e.kind = VIEWER;
        e.streamId = streamId;
        e.timestamp = timestamp;
        e.viewerCount = viewerCount;
        return e;
    }

    public boolean isChat() {
        return kind == CHAT;
    }
}
