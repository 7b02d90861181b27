package io.telemetra;

/**
 * Every operator's uid and name, in one place. A uid is how a savepoint finds an operator's state:
 * once released it never changes, or the state of that operator is lost on upgrade. Names are what
 * the Flink dashboard shows and may change freely.
 */
public enum Operators {
    CHAT_SOURCE("chat-source", "Kafka: chat events"),
    VIEWER_SOURCE("viewer-source", "Kafka: viewer events"),
    SPLIT_CHAT_REJECTIONS("split-chat-rejections", "Split rejected chat records"),
    SPLIT_VIEWER_REJECTIONS("split-viewer-rejections", "Split rejected viewer records"),
    SCORE_SENTIMENT("score-sentiment", "Score sentiment, find emotes"),
    /**
     * 0.1.0 used "chat-windows" for Flink's window operator; its state does not fit the sliced
     * windows, so they have their own uid and a 0.1.0 savepoint is migrated (see the README).
     */
    WINDOWS("chat-slices", "Sliding windows per stream (sliced)"),
    LATE_EVENTS("late-events", "Late events to rejections"),
    MOMENT_DETECTOR("moment-detector", "Detect moments"),
    SUMMARY_SINK("summary-sink", "PostgreSQL: chat_summary_minute"),
    MOMENT_SINK("moment-sink", "PostgreSQL: moments"),
    REJECTION_SINK("rejection-sink", "PostgreSQL: rejected_events");

    private final String uid;
    private final String displayName;

    Operators(String uid, String displayName) {
        this.uid = uid;
        this.displayName = displayName;
    }

    public String uid() {
        return uid;
    }

    public String displayName() {
        return displayName;
    }
}
