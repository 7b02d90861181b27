package io.telemetra.window;

/**
 * One row of {@code chat_summary_minute}: a stream's metrics over one window. {@link #zScore} and
 * {@link #anomaly} are filled in by the moment detector.
 */
public class WindowSummary {
    public String streamId;
    public long windowStart;
    public long windowEnd;
    public long chatCount;
    public long uniqueChatters;

    /** Null when the window holds no chat. */
    public Double avgSentiment;

    public long positiveCount;
    public long negativeCount;
    public String[] topEmotes;

    /** Occurrences of {@code topEmotes[0]} in the window (0 without emotes). */
    public long topEmoteCount;

    /** Messages per second: chatCount / window length in seconds. */
    public double chatRate;

    /** Null when the window holds no viewer event. */
    public Double avgViewers;

    /**
     * Null while the stream's baseline warms up, and on a late re-firing of an already written
     * window.
     */
    public Double zScore;

    public boolean anomaly;

    public WindowSummary() {}
}
