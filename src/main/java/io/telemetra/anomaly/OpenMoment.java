package io.telemetra.anomaly;

/**
 * The latest burst of one moment type on one stream: when it started, its peak and how long it
 * lasted. Anomalous windows no further apart than the cool-down extend it; a later one starts a new
 * moment. A POJO, so Flink serializes it without Kryo.
 */
public class OpenMoment {
    /** Start of the slide that made the first window anomalous (epoch ms), or -1 before any. */
    public long start = -1;

    public double peak;
    public long peakWindowStart;
    public long lastWindowStart;
    public long lastWindowEnd;
    public int windows;

    /** Consecutive anomalous windows kept out of the baseline (at most the history length). */
    public int heldOut;

    public OpenMoment() {}
}
