package io.telemetra.anomaly;

/**
 * A row of {@code moments}: one burst of a stream, identified by (stream, type, start). While the
 * burst lasts the detector re-emits it with the peak intensity and end updated; the sink upserts on
 * that key.
 */
public class Moment {
    public static final String CHAT_SPIKE = "chat_spike";
    public static final String VIEWER_SPIKE = "viewer_spike";
    public static final String VIEWER_DROP = "viewer_drop";
    public static final String SENTIMENT_SWING = "sentiment_swing";
    public static final String EMOTE_FLOOD = "emote_flood";

    public String streamId;

    /** Start of the slide whose arrival made the first window anomalous (epoch ms). */
    public long timestamp;

    public String momentType;
    public String description;

    /**
     * Peak strength so far: the z-score for chat_spike, the relative change for viewer_spike and
     * viewer_drop (0.8 = 80 %), the sentiment change for sentiment_swing, the lift over the usual
     * share for emote_flood.
     */
    public double intensity;

    /** JSON object saying why it fired. */
    public String metadata;

    /** True on the first emission of a burst (not written to PostgreSQL). */
    public boolean isNew;

    public Moment() {}
}
