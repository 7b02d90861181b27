package io.telemetra.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DetectorStateTest {
    @Test
    void ringKeepsTheNewestValuesOnceFull() {
        DetectorState s = DetectorState.withCapacity(3);
        s.push(1);
        s.push(2);
        assertFalse(s.isFull());
        s.push(3);
        assertTrue(s.isFull());
        assertEquals(2.0, s.mean(), 1e-12);
        s.push(10); // evicts 1
        assertEquals(5.0, s.mean(), 1e-12);
    }

    @Test
    void stddevIsThePopulationStandardDeviation() {
        DetectorState s = DetectorState.withCapacity(4);
        for (double v : new double[] {2, 4, 4, 6}) {
            s.push(v);
        }
        // mean 4, squared deviations 4,0,0,4 → variance 2
        assertEquals(Math.sqrt(2), s.stddev(), 1e-12);
    }

    @Test
    void resizeKeepsTheNewestValues() {
        DetectorState s = DetectorState.withCapacity(4);
        for (double v : new double[] {1, 2, 3, 4, 5, 6}) {
            s.push(v); // holds 3,4,5,6
        }
        s.resize(2);
        assertEquals(2, s.size);
        assertEquals(5.5, s.mean(), 1e-12);
        s.push(7);
        assertEquals(6.5, s.mean(), 1e-12, "oldest (5) evicted");
        s.resize(5);
        assertEquals(2, s.size);
        assertFalse(s.isFull(), "growing the history needs more windows before scoring again");
    }
}
