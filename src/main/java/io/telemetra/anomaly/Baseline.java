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
        return center(kind, 0);
    }

    public double spread(MomentSettings.BaselineKind kind) {
        return spread(kind, 0);
    }

    /** The centre of all values but the newest {@code skipNewest}. */
    public double center(MomentSettings.BaselineKind kind, int skipNewest) {
        double[] v = oldest(skipNewest);
        return kind == MomentSettings.BaselineKind.MEDIAN ? median(sorted(v)) : mean(v);
    }

    /** The spread of all values but the newest {@code skipNewest}. */
    public double spread(MomentSettings.BaselineKind kind, int skipNewest) {
        double[] v = oldest(skipNewest);
        if (v.length == 0) {
            return 0;
        }
        if (kind == MomentSettings.BaselineKind.MEAN) {
            double mean = mean(v);
            double sq = 0;
            for (double x : v) {
                sq += (x - mean) * (x - mean);
            }
            return Math.sqrt(sq / v.length); // population standard deviation
        }
        double median = median(sorted(v));
        double[] deviations = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            deviations[i] = Math.abs(v[i] - median);
        }
        Arrays.sort(deviations);
        return 1.4826 * median(deviations);
    }

    private double[] oldest(int skipNewest) {
        if (skipNewest == 0) {
            return Arrays.copyOf(values, size); // order does not matter to centre and spread
        }
        double[] ordered = inOrder();
        return Arrays.copyOf(ordered, Math.max(0, ordered.length - skipNewest));
    }

    private static double mean(double[] v) {
        double sum = 0;
        for (double x : v) {
            sum += x;
        }
        return v.length == 0 ? 0 : sum / v.length;
    }

    private static double[] sorted(double[] v) {
        double[] copy = v.clone();
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
