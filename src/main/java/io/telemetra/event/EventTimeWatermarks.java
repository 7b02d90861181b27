package io.telemetra.event;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.eventtime.WatermarksWithIdleness;

/**
 * The job's watermark strategy, applied per Kafka partition inside the source: bounded
 * out-of-orderness, plus an idleness timeout so that a silent partition (or a silent viewer topic)
 * stops holding back the minimum watermark that the downstream union and windows wait for.
 *
 * <p>Rejected records neither move the watermark nor count as activity: a partition that carries
 * only garbage must not keep the windows of every other partition waiting.
 */
public final class EventTimeWatermarks {
    private EventTimeWatermarks() {}

    public static WatermarkStrategy<ParsedRecord> strategy(
            Duration outOfOrderness, Duration idleness) {
        WatermarkStrategy<ParsedRecord> s =
                ctx ->
                        new ValidEventsOnly(
                                new WatermarksWithIdleness<>(
                                        new BoundedOutOfOrdernessWatermarks<>(outOfOrderness),
                                        idleness,
                                        ctx.getInputActivityClock()));
        return s.withTimestampAssigner(
                (r, kafkaTimestamp) -> r.isValid() ? r.event.timestamp : kafkaTimestamp);
    }

    /** Forwards only valid events to the wrapped generator. */
    static final class ValidEventsOnly implements WatermarkGenerator<ParsedRecord> {
        private final WatermarkGenerator<ParsedRecord> inner;

        ValidEventsOnly(WatermarkGenerator<ParsedRecord> inner) {
            this.inner = inner;
        }

        @Override
        public void onEvent(ParsedRecord record, long timestamp, WatermarkOutput output) {
            if (record.isValid()) {
                inner.onEvent(record, timestamp, output);
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            inner.onPeriodicEmit(output);
        }
    }
}
