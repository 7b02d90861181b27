package io.telemetra.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.telemetra.event.Event;
import io.telemetra.event.EventTypeInfo;
import io.telemetra.window.SlicedWindows;
import io.telemetra.window.SlicedWindowsOperator;
import io.telemetra.window.WindowAccumulator;
import io.telemetra.window.WindowSummary;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.Test;

/**
 * Why the benchmark's partial aggregation before the key-by is not in the job: a Kafka partition
 * that resumes after being idle sends events behind the watermark the window operator already has
 * (the minimum over the subtasks that were active). The job rejects such an event as {@code late},
 * with its payload; after a pre-aggregator, whose own watermark is still behind, the event is
 * buffered, sent later as part of a partial aggregate, and that partial can only be dropped.
 */
class LocalAggregationTest {
    static final long SIZE = 60_000, SLIDE = 10_000;

    @Test
    void anEventFromAResumedPartitionIsRejectedTodayButLostAfterPreAggregation() throws Exception {
        Event resumed = Event.chat("s", 95_000, "u", "hello", null);

        // today: the window operator sees the event with the watermark the other subtask set
        var today =
                new KeyedOneInputStreamOperatorTestHarness<String, Event, WindowSummary>(
                        new SlicedWindowsOperator(new SlicedWindows(SIZE, SLIDE, 0, 12)),
                        e -> e.streamId,
                        Types.STRING);
        today.open();
        today.processWatermark(new Watermark(200_000));
        today.processElement(new StreamRecord<>(resumed, resumed.timestamp));
        assertEquals(1, today.getSideOutput(SlicedWindows.LATE).size(), "rejected as late");
        today.close();

        // pre-aggregated: this subtask went idle at watermark 50,000 and resumes
        var local =
                new OneInputStreamOperatorTestHarness<>(
                        new LocalAggregation.PreAggregate(SLIDE, 12),
                        EventTypeInfo.Serializer.INSTANCE);
        local.setup(
                LocalAggregation.UPDATE.createSerializer(
                        new org.apache.flink.api.common.serialization.SerializerConfigImpl()));
        local.open();
        local.processWatermark(new Watermark(50_000));
        local.processWatermarkStatus(WatermarkStatus.IDLE);
        local.processWatermarkStatus(WatermarkStatus.ACTIVE);
        local.processElement(new StreamRecord<>(resumed, resumed.timestamp));
        local.processWatermark(new Watermark(120_000)); // its slice closes: the partial goes out
        List<Either<Event, Tuple3<String, Long, WindowAccumulator>>> sent =
                local.extractOutputValues();
        assertEquals(1, sent.size());
        assertEquals(true, sent.get(0).isRight(), "sent as a partial aggregate, not as the event");

        var keyed =
                new KeyedOneInputStreamOperatorTestHarness<
                        String,
                        Either<Event, Tuple3<String, Long, WindowAccumulator>>,
                        WindowSummary>(
                        new KeyedProcessOperator<>(new LocalAggregation.Slices(SIZE, SLIDE, 12)),
                        u -> u.isLeft() ? u.left().streamId : u.right().f0,
                        Types.STRING);
        keyed.open();
        keyed.processWatermark(new Watermark(200_000));
        keyed.processElement(new StreamRecord<>(sent.get(0), 90_000));
        assertEquals(
                null,
                keyed.getSideOutput(SlicedWindows.LATE),
                "no late event to reject: the partial holds no payload");
        assertEquals(List.of(), keyed.extractOutputValues(), "and no window counts it");
        keyed.close();
        local.close();
    }
}
