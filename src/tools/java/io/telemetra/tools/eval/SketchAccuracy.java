package io.telemetra.tools.eval;

import io.telemetra.config.CommandOption;
import io.telemetra.event.Event;
import io.telemetra.testing.SketchTolerance;
import io.telemetra.tools.Args;
import io.telemetra.window.WindowAccumulator;
import io.telemetra.window.WindowAccumulatorTypeInfo;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeSet;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.memory.Memory;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * How close {@code unique_chatters} is to the true number of distinct chatters, measured: random
 * windows of a known number of distinct chatters go through the job's own code path, each chatter's
 * messages (one, a quarter of them two) added to one of six 10 s slice accumulators ({@link
 * WindowAccumulator#add}) and the window read from their union ({@link WindowAccumulator#merged}),
 * as {@code SlicedWindows} does. The same messages also go into one accumulator per window, as
 * Flink's own window operator would build it, to check that the two give the same estimate.
 *
 * <p>Each trial draws fresh chatter ids and adds them one at a time, reading the window at every
 * count of the grid (log-spaced 1..100,000 plus each lg K's mode transitions), so the windows of
 * one trial share their first chatters and only windows of different trials are independent. The
 * counts up to 2,000 get {@code --trials} trials, larger ones an eighth of that. The tolerances the
 * tests allow ({@link SketchTolerance}) are checked against every window.
 */
public final class SketchAccuracy {
    private SketchAccuracy() {}

    static final List<CommandOption> OPTIONS =
            List.of(
                    Args.number(
                            "trials",
                            "2000",
                            8,
                            "windows per count up to 2,000 chatters (an eighth of it above)"),
                    Args.number("seed", "1", 0, "random seed"));

    public static final String USAGE =
            Args.usage(
                    "Usage: ./telemetra sketch-accuracy [options]\n"
                            + "Measures the unique_chatters estimate against the true distinct"
                            + " count for lg K 4, 8, 10, 12 and 14 (about 20 s with the defaults).",
                    OPTIONS);

    static final int[] LG_KS = {4, 8, 10, 12, 14};
    static final int SLICES = 6;
    static final int SMALL_MAX = 2_000;
    static final int LARGE_MAX = 100_000;

    public static void main(String[] args) {
        run(args, System.out);
    }

    public static void run(String[] args, PrintStream out) {
        Args a = new Args(args, OPTIONS);
        int trials = (int) a.longValue("trials");
        long seed = a.longValue("seed");
        int largeTrials = trials / 8;
        long[] counts = counts();
        // errors[lgK][count][trial]: estimate - true count
        long[][][] errors = new long[LG_KS.length][counts.length][];
        long[] differentFromOneSketch = new long[LG_KS.length];
        long[] compared = new long[LG_KS.length];
        Random rnd = new Random(seed);
        long started = System.nanoTime();
        runTrials(rnd, trials, 1, SMALL_MAX, counts, errors, differentFromOneSketch, compared);
        runTrials(
                rnd,
                largeTrials,
                SMALL_MAX + 1,
                LARGE_MAX,
                counts,
                errors,
                differentFromOneSketch,
                compared);
        double seconds = (System.nanoTime() - started) / 1e9;

        out.printf(
                Locale.ROOT,
                "unique_chatters accuracy: %,d windows per count up to %,d distinct chatters, %,d"
                        + " above; seed %d; %.0f s%n",
                trials,
                SMALL_MAX,
                largeTrials,
                seed,
                seconds);
        out.println(
                "Each window: the union of 6 slice sketches (SlicedWindows' path), composite"
                        + " estimate, rounded.");
        out.println(
                "Error = estimate - true count; relative error = error / true count; σ = the"
                        + " library's relative standard error (SketchTolerance).");
        out.println();
        modes(out, counts, errors, differentFromOneSketch, compared);
        for (int k = 0; k < LG_KS.length; k++) {
            out.println();
            ranges(out, k, counts, errors[k]);
        }
        out.println();
        memory(out, counts, errors);
    }

    /** Log-spaced 1..100,000 plus the counts where a sketch changes mode. */
    static long[] counts() {
        TreeSet<Long> c = new TreeSet<>();
        for (long decade = 1; decade <= LARGE_MAX; decade *= 10) {
            for (long m : new long[] {10, 15, 20, 30, 50, 70}) {
                if (decade * m / 10 >= 1 && decade * m / 10 <= LARGE_MAX) {
                    c.add(decade * m / 10);
                }
            }
        }
        for (int lgK : LG_KS) {
            long cap = SketchTolerance.couponCapacity(lgK);
            c.addAll(List.of(cap, cap + 1, 1L << lgK, 3L << lgK));
        }
        c.addAll(List.of(SketchTolerance.EXACT_UP_TO, SketchTolerance.EXACT_UP_TO + 1));
        c.removeIf(n -> n < 1 || n > LARGE_MAX);
        return c.stream().mapToLong(Long::longValue).toArray();
    }

    static void runTrials(
            Random rnd,
            int trials,
            long from,
            long upTo,
            long[] counts,
            long[][][] errors,
            long[] different,
            long[] compared) {
        for (long[][] byCount : errors) {
            for (int c = 0; c < counts.length; c++) {
                if (counts[c] >= from && counts[c] <= upTo) {
                    byCount[c] = new long[trials];
                }
            }
        }
        for (int t = 0; t < trials; t++) {
            WindowAccumulator[][] slices = new WindowAccumulator[LG_KS.length][SLICES];
            WindowAccumulator[] oneSketch = new WindowAccumulator[LG_KS.length];
            for (int k = 0; k < LG_KS.length; k++) {
                for (int s = 0; s < SLICES; s++) {
                    slices[k][s] = new WindowAccumulator();
                }
                oneSketch[k] = new WindowAccumulator();
            }
            long base = rnd.nextLong();
            int next = 0;
            for (long n = 1; n <= upTo; n++) {
                // distinct ids: mix64 is a bijection, so distinct inputs give distinct ids
                String user = "user-" + Long.toHexString(mix64(base + n));
                Event e = Event.chat("stream", 0, user, "", null);
                int slice = rnd.nextInt(SLICES);
                int again = rnd.nextInt(4 * SLICES); // a quarter of the chatters write twice
                for (int k = 0; k < LG_KS.length; k++) {
                    slices[k][slice].add(e, LG_KS[k]);
                    oneSketch[k].add(e, LG_KS[k]);
                    if (again < SLICES) {
                        slices[k][again].add(e, LG_KS[k]);
                        oneSketch[k].add(e, LG_KS[k]);
                    }
                }
                while (next < counts.length && counts[next] < n) {
                    next++;
                }
                if (next < counts.length && counts[next] == n && n >= from) {
                    for (int k = 0; k < LG_KS.length; k++) {
                        long estimate =
                                WindowAccumulator.merged(Arrays.asList(slices[k]), LG_KS[k])
                                        .uniqueChatters();
                        errors[k][next][t] = estimate - n;
                        compared[k]++;
                        if (estimate != oneSketch[k].uniqueChatters()) {
                            different[k]++;
                        }
                    }
                }
            }
        }
    }

    static void modes(
            PrintStream out, long[] counts, long[][][] errors, long[] different, long[] compared) {
        out.println("Exact range (LIST/SET mode: the estimate counts coupons)");
        out.println(
                "| lg K | LIST/SET up to | exact in every trial up to | LIST/SET windows not exact"
                        + " (predicted by coupon collisions) | largest error there | test"
                        + " tolerance 0 up to | union of 6 ≠ one sketch |");
        out.println("|---:|---:|---:|---:|---:|---:|---:|");
        for (int k = 0; k < LG_KS.length; k++) {
            int lgK = LG_KS[k];
            long cap = SketchTolerance.couponCapacity(lgK);
            long exactUpTo = 0;
            boolean allExactSoFar = true;
            long inexact = 0, windows = 0, worst = 0;
            double predicted = 0;
            for (int c = 0; c < counts.length; c++) {
                long[] e = errors[k][c];
                long n = counts[c];
                long off = Arrays.stream(e).filter(x -> x != 0).count();
                allExactSoFar &= off == 0;
                if (allExactSoFar) {
                    exactUpTo = n;
                }
                if (n <= cap) {
                    windows += e.length;
                    inexact += off;
                    predicted += e.length * -Math.expm1(-n * (n - 1) / 2.0 / (3.0 * (1 << 26)));
                    for (long x : e) {
                        worst = Math.max(worst, Math.abs(x));
                    }
                }
            }
            long zeroUpTo = 0;
            while (zeroUpTo < cap && SketchTolerance.uniqueChatters(zeroUpTo + 1, lgK) == 0) {
                zeroUpTo++;
            }
            out.printf(
                    Locale.ROOT,
                    "| %d | %,d | %,d | %,d of %,d (%.1f) | %d | %,d | %,d of %,d |%n",
                    lgK,
                    cap,
                    exactUpTo,
                    inexact,
                    windows,
                    predicted,
                    worst,
                    zeroUpTo,
                    different[k],
                    compared[k]);
        }
    }

    /** Error statistics per count range of one lg K. */
    static void ranges(PrintStream out, int k, long[] counts, long[][] errors) {
        int lgK = LG_KS[k];
        long cap = SketchTolerance.couponCapacity(lgK);
        double sigma = SketchTolerance.relativeStandardError(lgK);
        out.printf(
                Locale.ROOT,
                "lg K %d (K = %,d registers, σ = %.2f %%; test tolerance beyond LIST/SET: %d σ from"
                        + " lg K %d)%n",
                lgK,
                1 << lgK,
                100 * sigma,
                SketchTolerance.SIGMAS,
                SketchTolerance.MIN_ESTIMATING_LG_K);
        out.println(
                "| true count | windows | exact | median |error| | p95 | p99 | max | beyond 2 % |"
                        + " max / σ | beyond 5 σ | test tolerance | beyond it |");
        out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        List<long[]> bounds = new ArrayList<>();
        bounds.add(new long[] {1, cap});
        long lo = cap + 1;
        for (long hi : new long[] {999, 9_999, LARGE_MAX}) {
            if (hi >= lo) {
                bounds.add(new long[] {lo, hi});
                lo = hi + 1;
            }
        }
        bounds.add(new long[] {cap + 1, LARGE_MAX});
        for (int b = 0; b < bounds.size(); b++) {
            long from = bounds.get(b)[0], to = bounds.get(b)[1];
            List<Double> rel = new ArrayList<>();
            long exact = 0, beyond2 = 0, beyondTolerance = 0, beyond5Sigma = 0;
            long minTolerance = Long.MAX_VALUE, maxTolerance = 0;
            for (int c = 0; c < counts.length; c++) {
                long n = counts[c];
                if (n < from || n > to) {
                    continue;
                }
                long tolerance =
                        n <= cap || lgK >= SketchTolerance.MIN_ESTIMATING_LG_K
                                ? SketchTolerance.uniqueChatters(n, lgK)
                                : -1; // none offered
                minTolerance = Math.min(minTolerance, tolerance);
                maxTolerance = Math.max(maxTolerance, tolerance);
                for (long err : errors[c]) {
                    double r = Math.abs((double) err / n);
                    rel.add(r);
                    exact += err == 0 ? 1 : 0;
                    beyond2 += r > 0.02 ? 1 : 0;
                    beyondTolerance += tolerance >= 0 && Math.abs(err) > tolerance ? 1 : 0;
                    beyond5Sigma += r > 5 * sigma ? 1 : 0;
                }
            }
            rel.sort(null);
            int w = rel.size();
            String label =
                    b == bounds.size() - 1
                            ? String.format(Locale.ROOT, "all above LIST/SET (%,d+)", from)
                            : String.format(
                                    Locale.ROOT,
                                    "%,d–%,d%s",
                                    from,
                                    to,
                                    b == 0 ? " (LIST/SET)" : "");
            out.printf(
                    Locale.ROOT,
                    "| %s | %,d | %.1f %% | %s | %s | %s | %s | %.2f %% | %.1f | %,d | %s | %s |%n",
                    label,
                    w,
                    100.0 * exact / w,
                    pct(quantile(rel, 0.5)),
                    pct(quantile(rel, 0.95)),
                    pct(quantile(rel, 0.99)),
                    pct(rel.get(w - 1)),
                    100.0 * beyond2 / w,
                    rel.get(w - 1) / sigma,
                    beyond5Sigma,
                    minTolerance < 0
                            ? "none below lg K " + SketchTolerance.MIN_ESTIMATING_LG_K
                            : minTolerance == maxTolerance
                                    ? String.format(Locale.ROOT, "%,d", minTolerance)
                                    : String.format(
                                            Locale.ROOT, "%,d–%,d", minTolerance, maxTolerance),
                    minTolerance < 0 ? "–" : Long.toString(beyondTolerance));
        }
    }

    /** Sketch bytes against accuracy, per lg K. */
    static void memory(PrintStream out, long[] counts, long[][][] errors) {
        out.println(
                "Memory against accuracy (compact bytes of one sketch as checkpointed; a 60 s"
                        + " window is 6 slice sketches)");
        out.println(
                "| lg K | type | bytes at LIST/SET capacity | bytes in HLL mode (100,000) | same"
                        + " users in HLL_4 / HLL_6 | σ (library) | measured RMS error, counts ≥"
                        + " 3K | windows beyond 2 %, counts ≥ 3K |");
        out.println("|---:|---|---:|---:|---:|---:|---:|---:|");
        for (int k = 0; k < LG_KS.length; k++) {
            int lgK = LG_KS[k];
            HllSketch full = sketchOf(SketchTolerance.couponCapacity(lgK), lgK);
            HllSketch hll = sketchOf(LARGE_MAX, lgK);
            HllSketch hll4 = new HllSketch(lgK, TgtHllType.HLL_4);
            HllSketch hll6 = new HllSketch(lgK, TgtHllType.HLL_6);
            for (long i = 0; i < LARGE_MAX; i++) {
                hll4.update("user-" + i);
                hll6.update("user-" + i);
            }
            double sumSq = 0;
            long windows = 0, beyond2 = 0;
            for (int c = 0; c < counts.length; c++) {
                if (counts[c] < 3L << lgK) {
                    continue;
                }
                for (long err : errors[k][c]) {
                    double r = (double) err / counts[c];
                    sumSq += r * r;
                    windows++;
                    beyond2 += Math.abs(r) > 0.02 ? 1 : 0;
                }
            }
            out.printf(
                    Locale.ROOT,
                    "| %d | %s | %,d | %,d | %,d / %,d | %.2f %% | %s | %s |%n",
                    lgK,
                    hll.getTgtHllType(),
                    full.toCompactByteArray().length,
                    hll.toCompactByteArray().length,
                    hll4.toCompactByteArray().length,
                    hll6.toCompactByteArray().length,
                    100 * SketchTolerance.relativeStandardError(lgK),
                    windows == 0 ? "–" : pct(Math.sqrt(sumSq / windows)),
                    windows == 0
                            ? "–"
                            : String.format(Locale.ROOT, "%.1f %%", 100.0 * beyond2 / windows));
        }
    }

    /**
     * The chatter sketch of an accumulator holding {@code distinct} chatters, as the job
     * checkpoints it (read back from the accumulator's serialized form).
     */
    static HllSketch sketchOf(long distinct, int lgK) {
        WindowAccumulator acc = new WindowAccumulator();
        for (long i = 0; i < distinct; i++) {
            acc.add(Event.chat("stream", 0, "user-" + i, "", null), lgK);
        }
        try {
            DataOutputSerializer bytes = new DataOutputSerializer(1 << 16);
            WindowAccumulatorTypeInfo.Serializer.INSTANCE.serialize(acc, bytes);
            byte[] all = bytes.getCopyOfBuffer();
            // format byte, six longs, no emotes (int 0), sketch length (int), sketch
            int at = 1 + 6 * 8 + 4;
            int length = java.nio.ByteBuffer.wrap(all).getInt(at); // big-endian, as written
            return HllSketch.heapify(Memory.wrap(Arrays.copyOfRange(all, at + 4, at + 4 + length)));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static double quantile(List<Double> sorted, double q) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1));
    }

    static String pct(double r) {
        return r == 0
                ? "0"
                : String.format(Locale.ROOT, r < 0.001 ? "%.3f %%" : "%.2f %%", 100 * r);
    }

    /** Stafford's mix 13 (the finalizer of SplitMix64): a bijection on longs. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
