package io.telemetra.tools;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.tools.eval.MomentEval;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Floors under the moment rules' quality, at the job's defaults, on the report seeds of {@code
 * ./telemetra moment-eval} (the full table: four size classes from 0.2 to 500 messages/s, about 30
 * planted scenarios of each kind and 30 steady stream-hours per class). Windows go to the moment
 * rules directly, without Flink, so the whole table takes about half a minute.
 *
 * <p>Targets: recall and precision at least 0.9 for every type in every class, at most 0.1 false
 * moments per stream-hour on 150 steady stream-hours per class.
 */
class MomentQualityTest {
    private static final double TARGET = 0.9;
    private static final double FALSE_PER_STREAM_HOUR = 0.1;

    @Test
    void everyTypeInEverySizeClassFindsItsScenariosWithFewFalseMoments() {
        List<String> failures = new ArrayList<>();
        for (MomentEval.SizeClass size : MomentEval.CLASSES) {
            MomentEval.Counts c =
                    MomentEval.evaluate(
                            MomentEval.defaults(),
                            size,
                            MomentEval.SeedSet.REPORT,
                            MomentEval.Plan.DEFAULT);
            for (String type : MomentEval.TYPES) {
                int planted = c.byType.get(type)[0];
                if (planted < 20) {
                    failures.add(size.name() + " " + type + ": only " + planted + " planted");
                }
                check(failures, size.name() + " " + type + " recall", c.recall(type), TARGET);
                check(failures, size.name() + " " + type + " precision", c.precision(type), TARGET);
            }
            if (c.steadyStreamHours < 150 || c.falsePerStreamHour() > FALSE_PER_STREAM_HOUR) {
                failures.add(
                        String.format(
                                Locale.ROOT,
                                "%s: %d moments in %.0f steady stream-hours",
                                size.name(),
                                c.steadyMoments,
                                c.steadyStreamHours));
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private static void check(List<String> failures, String what, double value, double floor) {
        if (!(value >= floor)) {
            failures.add(String.format(Locale.ROOT, "%s %.3f is below %.2f", what, value, floor));
        }
    }
}
