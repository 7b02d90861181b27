package io.telemetra.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.tools.eval.MomentEval;
import io.telemetra.window.WindowSummary;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The noise floors of {@link MomentRules}, checked against arithmetic and simulation. */
class CountingNoiseTest {
    private static final long SIZE = 60_000;
    private static final long SLIDE = 10_000;

    @Test
    void aLongBaselineLeavesTheNoiseOfOneWindow() {
        // the centre of 1000 windows barely varies, so what remains is one window's r / 60
        assertEquals(1.0 / 60, MomentRules.rateNoiseFactor(1000, SIZE, SLIDE), 0.01 / 60);
    }

    @Test
    void theDefaultBaselineMatchesTheSumOfSlideWeightsWorkedByHand() {
        // slide weights (window minus centre, times 60 s): -0.1 .. -0.6, five of -0.6 ... as in
        // the javadoc; their squares add to 5.9, times 10 s of slide over (60 s)^2
        assertEquals(5.9 * 10 / 3600, MomentRules.rateNoiseFactor(10, SIZE, SLIDE), 1e-9);
    }

    @Test
    void theFactorIsTheVarianceOfRateMinusCentreInASimulation() {
        Random rnd = new Random(5);
        double rate = 3; // messages per second: 30 per slide
        int history = 4; // short, so the centre's noise and the shared slides matter
        int trials = 40_000;
        double sum = 0;
        double sumSq = 0;
        for (int t = 0; t < trials; t++) {
            int[] slides = arrivals(rnd, rate, history + 6);
            double center = 0;
            for (int i = 0; i < history; i++) {
                center += windowRate(slides, i) / history;
            }
            double d = windowRate(slides, history) - center;
            sum += d;
            sumSq += d * d;
        }
        double variance = sumSq / trials - (sum / trials) * (sum / trials);
        double expected = rate * MomentRules.rateNoiseFactor(history, SIZE, SLIDE);
        assertEquals(expected, variance, expected * 0.04);
    }

    @Test
    void aSmallRiseOnABusyStreamIsNoChatSpikeThoughItsZScoreIsHigh() {
        MomentRules rules = new MomentRules(MomentEval.defaults(), SLIDE);
        DetectorState st = new DetectorState();
        long start = 0;
        for (int i = 0; i < 10; i++, start += SLIDE) {
            rules.apply(st, window(start, 300 + (i % 2))); // 300 messages/s, spread 0.5
        }
        // +10 messages/s: z about 4.5 against the counting noise of 2.2, but only +3 %
        WindowSummary small = window(start, 310);
        assertTrue(rules.apply(st, small).isEmpty());
        assertTrue(small.zScore >= 3, "z " + small.zScore);
        List<Moment> big = rules.apply(st, window(start + SLIDE, 460));
        assertEquals(Moment.CHAT_SPIKE, big.get(0).momentType);
    }

    private static WindowSummary window(long start, double rate) {
        WindowSummary s = new WindowSummary();
        s.streamId = "s";
        s.windowStart = start;
        s.windowEnd = start + SIZE;
        s.chatRate = rate;
        s.chatCount = (long) (rate * 60);
        s.topEmotes = new String[0];
        return s;
    }

    private static double windowRate(int[] slides, int first) {
        int n = 0;
        for (int j = first; j < first + 6; j++) {
            n += slides[j];
        }
        return n / 60.0;
    }

    /** Messages arriving at random: exponential gaps at {@code rate}, counted per 10 s slide. */
    private static int[] arrivals(Random rnd, double rate, int slides) {
        int[] counts = new int[slides];
        double t = -Math.log(1 - rnd.nextDouble()) / rate;
        while (t < slides * 10.0) {
            counts[(int) (t / 10.0)]++;
            t += -Math.log(1 - rnd.nextDouble()) / rate;
        }
        return counts;
    }
}
