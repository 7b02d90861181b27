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
 *
 * <p>With a maximum drift (off by default), both topics' partitions are in one watermark-alignment
 * group: a partition whose watermark runs more than the drift ahead of the slowest (non-idle) one
 * is paused until the others catch up. Live, the topics move together and nothing pauses. Replaying
 * a backlog, the viewer topic's small records are read faster than chat's, and without alignment it
 * ran minutes of event time ahead: the windows then held a slice per stream for every slide of that
 * lead (at 100,000 streams, 17 instead of 7 each), slowing every state access on RocksDB
 * (bench/scale). It is off by default because of a Kafka connector race: the wake-up that pauses a
 * split can land in an offset commit while the group coordinator is unknown, and fail the source
 * task (a restart from the last checkpoint; seen once in 19 bench/run variant runs).
 */
public final class EventTimeWatermarks {
    private EventTimeWatermarks() {}

    /** The alignment group of both sources. */
    static final String ALIGNMENT_GROUP = "telemetra-events";

    /** How often the sources report their watermarks to the alignment coordinator. */
    static final Duration ALIGNMENT_UPDATE_INTERVAL = Duration.ofSeconds(1);

    /**
     * @param maxDrift how far a partition's watermark may run ahead of the slowest; zero turns
     *     alignment off
     */
    public static WatermarkStrategy<ParsedRecord> strategy(
            Duration outOfOrderness, Duration idleness, Duration maxDrift) {
        WatermarkStrategy<ParsedRecord> s =
                ctx ->
                        new ValidEventsOnly(
                                new WatermarksWithIdleness<>(
                                        new BoundedOutOfOrdernessWatermarks<>(outOfOrderness),
                                        idleness,
                                        ctx.getInputActivityClock()));
        s =
                s.withTimestampAssigner(
                        (r, kafkaTimestamp) -> r.isValid() ? r.event.timestamp : kafkaTimestamp);
        return maxDrift.isZero()
                ? s
                : s.withWatermarkAlignment(ALIGNMENT_GROUP, maxDrift, ALIGNMENT_UPDATE_INTERVAL);
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
