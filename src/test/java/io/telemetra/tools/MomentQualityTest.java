package io.telemetra.tools;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.anomaly.MomentSettings;
import io.telemetra.tools.eval.MomentEval;
import org.junit.jupiter.api.Test;

/**
 * Floors under the moment rules' quality on the generator's planted scenarios, at the job's
 * defaults (docs/sentiment-and-moments.md has the full 20-seed figures of ./telemetra moment-eval).
 * Fewer seeds here, so the floors sit a little below those figures.
 */
class MomentQualityTest {
    @Test
    void everyMomentTypeFindsItsPlantedScenariosWithFewFalseMoments() {
        MomentEval.Counts c =
                MomentEval.evaluate(
                        MomentEval.defaults(MomentSettings.BaselineKind.MEAN), 8, 30, 20, 100);
        for (String type : MomentEval.TYPES) {
            int[] n = c.byType.get(type);
            assertTrue(n[0] >= 5, type + ": too few planted scenarios to judge: " + n[0]);
            assertTrue(c.recall(type) >= 0.85, type + " recall " + c.recall(type));
            assertTrue(c.precision(type) >= 0.75, type + " precision " + c.precision(type));
        }
        double perStreamHour = c.steadyMoments / c.steadyStreamHours;
        assertTrue(perStreamHour <= 0.3, "moments on steady streams per hour: " + perStreamHour);
    }
}
