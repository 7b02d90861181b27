package io.telemetra.anomaly;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.anomaly.MomentSettings.BaselineKind;
import org.junit.jupiter.api.Test;

class DetectorStateTest {
    static Baseline of(int capacity, double... values) {
        Baseline b = Baseline.withCapacity(capacity);
        for (double v : values) {
            b.push(v);
        }
        return b;
    }

    @Test
    void ringKeepsTheNewestValuesOnceFull() {
        Baseline b = of(3, 1, 2);
        assertFalse(b.isFull());
        b.push(3);
        assertTrue(b.isFull());
        assertEquals(2.0, b.center(BaselineKind.MEAN), 1e-12);
        b.push(10); // evicts 1
        assertEquals(5.0, b.center(BaselineKind.MEAN), 1e-12);
        assertArrayEquals(new double[] {2, 3, 10}, b.inOrder());
    }

    @Test
    void meanBaselineUsesThePopulationStandardDeviation() {
        // mean 4, squared deviations 4,0,0,4 -> variance 2
        assertEquals(Math.sqrt(2), of(4, 2, 4, 4, 6).spread(BaselineKind.MEAN), 1e-12);
    }

    @Test
    void medianBaselineIgnoresOnePastBurst() {
        Baseline b = of(5, 2, 2, 3, 2, 40);
        assertEquals(2.0, b.center(BaselineKind.MEDIAN), 1e-12);
        // deviations from 2: 0,0,1,0,38 -> median 0
        assertEquals(0.0, b.spread(BaselineKind.MEDIAN), 1e-12);
        assertEquals(9.8, b.center(BaselineKind.MEAN), 1e-12, "the mean is dragged up");
        // even count: mean of the middle two; deviations 1,1,1,1 -> MAD 1
        assertEquals(1.4826, of(4, 1, 3, 1, 3).spread(BaselineKind.MEDIAN), 1e-12);
    }

    @Test
    void resizeKeepsTheNewestValues() {
        Baseline b = of(4, 1, 2, 3, 4, 5, 6); // holds 3,4,5,6
        b.resize(2);
        assertArrayEquals(new double[] {5, 6}, b.inOrder());
        b.push(7);
        assertArrayEquals(new double[] {6, 7}, b.inOrder(), "oldest (5) evicted");
        b.resize(5);
        assertEquals(2, b.size);
        assertFalse(b.isFull(), "growing the history needs more windows before scoring again");
    }

    @Test
    void aVersion010StateMovesIntoTheNewLayout() {
        DetectorState old = new DetectorState();
        old.rates = new double[] {4, 5, 1, 2, 3}; // ring with head 2: oldest first 1,2,3,4,5
        old.head = 2;
        old.size = 5;
        old.lastWindowStart = 90_000;
        old.momentStart = 80_000;
        old.momentPeak = 6.5;
        old.momentWindows = 2;
        old.prepare(5, 15);
        assertArrayEquals(new double[] {1, 2, 3, 4, 5}, old.chat.inOrder());
        assertEquals(80_000, old.chatSpike.start);
        assertEquals(6.5, old.chatSpike.peak);
        assertEquals(90_000, old.chatSpike.lastWindowStart, "the open burst can continue");
        assertNull(old.rates);
        assertEquals(0, old.viewers.size, "new baselines start empty");
    }
}
