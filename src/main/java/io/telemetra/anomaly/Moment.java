package io.telemetra.anomaly;

/**
 * A row of {@code moments}: one burst of a stream, identified by (stream, type, start). While the
 * burst lasts the detector re-emits it with the peak intensity and end updated; the sink upserts on
 * that key.
 */
public class Moment {
    public static final String CHAT_SPIKE = "chat_spike";

    public String streamId;

    /** Start of the slide whose arrival made the first window anomalous (epoch ms). */
    public long timestamp;

    public String momentType;
    public String description;

    /** Peak z-score so far. */
    public double intensity;

    /** JSON object saying why it fired. */
    public String metadata;

    public Moment() {}
}
