package io.telemetra.anomaly;

import java.util.Arrays;

/**
 * A ring buffer of one metric's values over a stream's previous windows, and its centre and spread:
 * mean and standard deviation, or median and MAD (scaled by 1.4826 to match σ on normal data), see
 * {@link MomentSettings.BaselineKind}. A POJO, so Flink serializes it without Kryo.
 */
public class Baseline {
    /** {@link #head} is the next slot to write. */
    public double[] values;

    public int head;
    public int size;

    public Baseline() {}

    public static Baseline withCapacity(int capacity) {
        Baseline b = new Baseline();
        b.values = new double[capacity];
        return b;
    }

    /** Adds a value, overwriting the oldest once the buffer is full. */
    public void push(double value) {
        values[head] = value;
        head = (head + 1) % values.length;
        if (size < values.length) {
            size++;
        }
    }

    public boolean isFull() {
        return size == values.length;
    }

    public double center(MomentSettings.BaselineKind kind) {
        return kind == MomentSettings.BaselineKind.MEDIAN ? median(sorted()) : mean();
    }

    public double spread(MomentSettings.BaselineKind kind) {
        if (size == 0) {
            return 0;
        }
        if (kind == MomentSettings.BaselineKind.MEAN) {
            double mean = mean();
            double sq = 0;
            for (int i = 0; i < size; i++) {
                double d = values[i] - mean;
                sq += d * d;
            }
            return Math.sqrt(sq / size); // population standard deviation
        }
        double median = median(sorted());
        double[] deviations = new double[size];
        for (int i = 0; i < size; i++) {
            deviations[i] = Math.abs(values[i] - median);
        }
        Arrays.sort(deviations);
        return 1.4826 * median(deviations);
    }

    private double mean() {
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += values[i];
        }
        return size == 0 ? 0 : sum / size;
    }

    private double[] sorted() {
        double[] copy = Arrays.copyOf(values, size);
        Arrays.sort(copy);
        return copy;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        if (n == 0) {
            return 0;
        }
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The values oldest first. */
    public double[] inOrder() {
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            out[i] = values[Math.floorMod(head - size + i, values.length)];
        }
        return out;
    }

    /**
     * Keeps the newest values when the configured history length changed between runs, so a restore
     * with a different {@code --anomaly.history} neither fails nor restarts the warm-up.
     */
    public void resize(int capacity) {
        if (values.length == capacity) {
            return;
        }
        double[] ordered = inOrder();
        int keep = Math.min(size, capacity);
        values = new double[capacity];
        System.arraycopy(ordered, ordered.length - keep, values, 0, keep);
        size = keep;
        head = keep % capacity;
    }
}
