package io.telemetra.event;

/**
 * What the Kafka source emits per record: exactly one of {@link #event} and {@link #rejection} is
 * set. Parsing happens inside the source so that timestamps, and so watermarks, are tracked per
 * Kafka partition.
 */
public class ParsedRecord {
    public Event event;
    public Rejection rejection;

    public ParsedRecord() {}

    public static ParsedRecord valid(Event event) {
        ParsedRecord r = new ParsedRecord();
        r.event = event;
        return r;
    }

    public static ParsedRecord rejected(Rejection rejection) {
        ParsedRecord r = new ParsedRecord();
        r.rejection = rejection;
        return r;
    }

    public boolean isValid() {
        return event != null;
    }
}
