package io.telemetra.testing;

import io.telemetra.config.Option;
import org.apache.datasketches.hll.HllSketch;

/**
 * How far a correct {@code unique_chatters} may be from the true number of distinct chatters, for
 * the tests that compare the two. The bound is derived from the sketch's lg K rather than fixed,
 * and is chosen so that a correct implementation fails with probability at most about {@value
 * #FALSE_FAILURE} per window compared ({@code ./telemetra sketch-accuracy} measures the errors
 * these bounds are meant to cover).
 *
 * <p>The job's sketch (HLL_8, composite estimate; see {@code WindowAccumulator}) has two regimes:
 *
 * <ul>
 *   <li>Up to {@link #couponCapacity} distinct chatters it keeps a list (lg K &lt; 8) or hash set
 *       of coupons, one per chatter: 26 bits of the hash plus a 6-bit value. The estimate is the
 *       coupon count plus the expected number of collisions (below 0.5 up to lg K 17), so it is
 *       exact unless two chatters share a coupon. Two given chatters do so with probability 2^-26 ×
 *       Σ 4^-v ≈ 1/(3 · 2^26), independent of lg K, so n chatters hold a Poisson(λ = n(n−1)/2 / (3
 *       · 2^26)) number of collisions and the estimate is that many low. The tolerance is the
 *       collision count exceeded with probability ≤ {@value #FALSE_FAILURE}: 0 up to {@value
 *       #EXACT_UP_TO} chatters (λ ≤ 1e-6), then 1, then 2 from 756 chatters (lg K ≥ 14 only).
 *   <li>Beyond it the sketch is an array of K = 2^lgK registers, and the estimate's relative error
 *       is approximately normal with the standard error {@link #relativeStandardError}; the
 *       tolerance is {@value #SIGMAS} of them (two-sided normal tail 5.7e-7; measured, no window
 *       got that far at lg K 8 to 14).
 * </ul>
 *
 * <p>Below lg K 8 (K &lt; 256 registers) the estimate's error has a heavier tail than normal: at lg
 * K 4 {@code sketch-accuracy} finds estimates several times the true count, beyond 5 standard
 * errors, and a check with 20,000 runs per lg K found windows beyond 5 standard errors at lg K 5 to
 * 7 too (2.5e-6 to 5.5e-6 of them), none at lg K 8 to 12. No multiple of the standard error is both
 * safe and still a useful check there, so {@link #uniqueChatters} offers none beyond the list mode:
 * compare two implementations with each other instead.
 */
public final class SketchTolerance {
    private SketchTolerance() {}

    /** The job's default lg K, which the integration tests run with. */
    public static final int DEFAULT_LG_K = Integer.parseInt(Option.SKETCH_LG_K.defaultValue());

    /** The largest probability of a false failure per window that the tolerances accept. */
    public static final double FALSE_FAILURE = 1e-6;

    /** Standard errors allowed once the sketch estimates. */
    public static final int SIGMAS = 5;

    /**
     * Up to this many distinct chatters the tolerance is 0 (when the sketch is still in its
     * list/set mode): the chance that two of them share a coupon is below {@link #FALSE_FAILURE}.
     */
    public static final long EXACT_UP_TO = 20;

    /** The smallest lg K whose estimates (beyond the list/set mode) get a tolerance. */
    public static final int MIN_ESTIMATING_LG_K = 8;

    /** Probability that two distinct chatters get the same coupon (same 26-bit key and value). */
    static final double PAIR_COLLISION = 1.0 / (3.0 * (1 << 26));

    /**
     * The most distinct chatters a sketch of this lg K keeps as coupons (LIST or SET mode, where
     * the estimate is a count); the next one turns it into an HLL register array. A list of 8 slots
     * goes straight to HLL below lg K 8; from lg K 8 it becomes a hash set, which grows up to 2^(lg
     * K − 3) slots and is promoted once more than 3/4 of them are used.
     */
    public static long couponCapacity(int lgK) {
        return lgK < 8 ? 7 : 3L << (lgK - 5);
    }

    /**
     * One relative standard error of the composite estimate at this lg K: the library's own bound
     * ({@code HllSketch.getRelErr}, non-HIP, for both sides and 1 to 3 standard deviations) divided
     * by its number of standard deviations, the widest of these. For lg K &gt; 12 that is
     * 1.039/sqrt(K); up to 12 it comes from the library's measured quantiles, whose tails are wider
     * than normal at small K (at lg K 4 the 3-sd quantile is 1.30, i.e. 0.43 per sd against 0.25 at
     * 1 sd).
     */
    public static double relativeStandardError(int lgK) {
        double rse = 0;
        for (int sd = 1; sd <= 3; sd++) {
            rse = Math.max(rse, HllSketch.getRelErr(true, true, lgK, sd) / sd);
            rse = Math.max(rse, HllSketch.getRelErr(false, true, lgK, sd) / sd);
        }
        return rse;
    }

    /**
     * How far {@code unique_chatters} may be from {@code distinct}, the true number of distinct
     * chatters in the window, at this lg K.
     */
    public static long uniqueChatters(long distinct, int lgK) {
        if (distinct <= couponCapacity(lgK)) {
            return collisionsAtMost(distinct);
        }
        if (lgK < MIN_ESTIMATING_LG_K) {
            throw new IllegalArgumentException(
                    "no tolerance for an estimate at lg K "
                            + lgK
                            + " (its error's tail is too heavy below lg K "
                            + MIN_ESTIMATING_LG_K
                            + "); compare implementations with each other instead");
        }
        return (long) Math.ceil(SIGMAS * relativeStandardError(lgK) * distinct);
    }

    /** {@link #uniqueChatters(long, int)} at the job's default lg K. */
    public static long uniqueChatters(long distinct) {
        return uniqueChatters(distinct, DEFAULT_LG_K);
    }

    /**
     * The number of coupon collisions among {@code distinct} chatters exceeded with probability at
     * most {@link #FALSE_FAILURE}. It also covers the collision correction the estimate adds (λ,
     * below any such quantile).
     */
    static long collisionsAtMost(long distinct) {
        double lambda = distinct * (distinct - 1) / 2.0 * PAIR_COLLISION;
        double pmf = Math.exp(-lambda);
        double cdf = pmf;
        long k = 0;
        while (1 - cdf > FALSE_FAILURE) {
            k++;
            pmf *= lambda / k;
            cdf += pmf;
        }
        return k;
    }
}
