package io.telemetra.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkAlignmentParams;
import org.junit.jupiter.api.Test;

/** Both topics' partitions are aligned in one group unless --watermark.max-drift is 0. */
class EventTimeWatermarksTest {
    @Test
    void bothSourcesShareOneAlignmentGroupWithTheConfiguredDrift() {
        WatermarkAlignmentParams p =
                EventTimeWatermarks.strategy(
                                Duration.ofSeconds(10),
                                Duration.ofSeconds(30),
                                Duration.ofSeconds(45))
                        .getAlignmentParameters();
        assertTrue(p.isEnabled(), "alignment on");
        assertEquals(45_000, p.getMaxAllowedWatermarkDrift());
        assertEquals(EventTimeWatermarks.ALIGNMENT_GROUP, p.getWatermarkGroup());
        assertEquals(1_000, p.getUpdateInterval());
    }

    @Test
    void zeroDriftTurnsAlignmentOff() {
        WatermarkAlignmentParams p =
                EventTimeWatermarks.strategy(
                                Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ZERO)
                        .getAlignmentParameters();
        assertFalse(p.isEnabled());
    }
}
