package io.telemetra.anomaly;

/**
 * Per-stream state of the {@link MomentDetector}: a ring buffer of the previous windows' chat rates
 * (the baseline) and the moment currently open, if any. A POJO, so Flink serializes it without Kryo
 * and fields can be added in later releases.
 */
public class DetectorState {
    /** Ring buffer of chat rates; {@link #head} is the next slot to write. */
    public double[] rates;

    public int head;
    public int size;

    /** Start of the newest window seen, or {@link Long#MIN_VALUE} before the first. */
    public long lastWindowStart = Long.MIN_VALUE;

    /** Start timestamp of the open moment, or -1 when no moment is open. */
    public long momentStart = -1;

    public double momentPeak;
    public long momentPeakWindowStart;
    public int momentWindows;

    public DetectorState() {}

    public static DetectorState withCapacity(int capacity) {
        DetectorState s = new DetectorState();
        s.rates = new double[capacity];
        return s;
    }

    /** Adds a value, overwriting the oldest once the buffer is full. */
    public void push(double value) {
        rates[head] = value;
        head = (head + 1) % rates.length;
        if (size < rates.length) {
            size++;
        }
    }

    public boolean isFull() {
        return size == rates.length;
    }

    public double mean() {
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += rates[i];
        }
        return size == 0 ? 0 : sum / size;
    }

    /** Population standard deviation of the buffered values. */
    public double stddev() {
        if (size == 0) {
            return 0;
        }
        double mean = mean();
        double sq = 0;
        for (int i = 0; i < size; i++) {
            double d = rates[i] - mean;
            sq += d * d;
        }
        return Math.sqrt(sq / size);
    }

    /**
     * Keeps the newest values when the configured history length changed between releases or runs,
     * so a restore with a different {@code --anomaly.history} neither fails nor restarts the
     * warm-up needlessly.
     */
    public void resize(int capacity) {
        if (rates.length == capacity) {
            return;
        }
        double[] resized = new double[capacity];
        int keep = Math.min(size, capacity);
        for (int i = 0; i < keep; i++) {
            // walk back from the newest value
            int from = Math.floorMod(head - keep + i, rates.length);
            resized[i] = rates[from];
        }
        rates = resized;
        size = keep;
        head = keep % capacity;
    }

    public boolean momentOpen() {
        return momentStart >= 0;
    }
}
