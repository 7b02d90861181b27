package io.telemetra.event;

/** Why a record was not used. The code is what {@code rejected_events.reason} holds. */
public enum RejectReason {
    /**
     * Not parseable as JSON: empty, truncated, trailing garbage, invalid UTF-8, nesting too deep.
     */
    NOT_JSON("not_json"),
    /** Valid JSON but not an object (array, string, number, ...). */
    NOT_OBJECT("not_object"),
    /** A required field is absent or null. */
    MISSING_FIELD("missing_field"),
    /** A field has the wrong JSON type (e.g. a number given as a string). */
    WRONG_TYPE("wrong_type"),
    /**
     * A field has the right type but an impossible value (negative count, empty stream_id, ...).
     */
    INVALID_VALUE("invalid_value"),
    /**
     * Over a size limit: the whole record, the message, the user id or the number of emotes (the
     * limits are options; a record is never truncated).
     */
    TOO_LARGE("too_large"),
    /** The event is stamped further ahead of the wall clock than the allowed skew. */
    FUTURE_TIMESTAMP("future_timestamp"),
    /** The event arrived after every window it belongs to had been written. */
    LATE("late");

    private final String code;

    RejectReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
