package io.telemetra.tools.bench;

import io.telemetra.Pipeline;
import io.telemetra.config.TelemetraConfig;
import io.telemetra.event.Event;
import io.telemetra.event.EventTypeInfo;
import io.telemetra.window.EmitSummary;
import io.telemetra.window.SlicedWindows;
import io.telemetra.window.WindowAccumulator;
import io.telemetra.window.WindowAccumulatorTypeInfo;
import io.telemetra.window.WindowSummary;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;

/**
 * Benchmark variant {@code telemetra-windows-local}: partial aggregation before the key-by, as
 * Flink SQL's local-global aggregation does, tried for issue 16 and <b>not part of the job</b>
 * (docs/performance.md says why: with source idleness, which the job always uses, a partition that
 * resumes behind the watermark turns events the job rejects with their payload into partial
 * aggregates that arrive late, whose events can no longer be rejected one by one).
 *
 * <p>Each source chain ends in {@link PreAggregate}: events are summed per (stream, slice) in the
 * subtask's memory and sent across the key-by as one partial accumulator per slice, just before the
 * subtask's own watermark passes the slice's end (so downstream, where the watermark is the minimum
 * over all subtasks, no window holding the slice can have fired yet), before every checkpoint
 * barrier, when the subtask goes idle, and at a size bound. An event whose slice the subtask's
 * watermark has already passed is sent as it is, to be judged late or not downstream. {@link
 * Slices} merges partials and events into keyed slice state and writes windows when they end. Only
 * for no allowed lateness (the default), on the heap backend.
 */
final class LocalAggregation {
    private LocalAggregation() {}

    /** What crosses the key-by: an event, or a (stream, slice start, partial accumulator). */
    static final TypeInformation<Either<Event, Tuple3<String, Long, WindowAccumulator>>> UPDATE =
            new EitherTypeInfo<>(
                    new EventTypeInfo(),
                    Types.TUPLE(Types.STRING, Types.LONG, new WindowAccumulatorTypeInfo()));

    static DataStream<WindowSummary> windows(Pipeline.Events events, TelemetraConfig.Windows w) {
        if (!w.allowedLateness().isZero()) {
            throw new IllegalArgumentException(
                    "telemetra-windows-local supports no allowed lateness only");
        }
        long size = w.size().toMillis(), slide = w.slide().toMillis();
        // one pre-aggregator per source chain, so it chains to its source (after a union it would
        // not)
        DataStream<Either<Event, Tuple3<String, Long, WindowAccumulator>>> chat =
                events.chat().transform("Pre-aggregate chat slices", UPDATE, preAggregate(w));
        DataStream<Either<Event, Tuple3<String, Long, WindowAccumulator>>> viewers =
                events.viewers().transform("Pre-aggregate viewer slices", UPDATE, preAggregate(w));
        return chat.union(viewers)
                .keyBy(u -> u.isLeft() ? u.left().streamId : u.right().f0, Types.STRING)
                .process(new Slices(size, slide, w.sketchLgK()))
                .name("Sliding windows from partial slices");
    }

    private static PreAggregate preAggregate(TelemetraConfig.Windows w) {
        return new PreAggregate(w.slide().toMillis(), w.sketchLgK());
    }

    /** Per-subtask slice sums, sent downstream before the subtask's watermark passes them. */
    static final class PreAggregate
            extends AbstractStreamOperator<Either<Event, Tuple3<String, Long, WindowAccumulator>>>
            implements OneInputStreamOperator<
                    Event, Either<Event, Tuple3<String, Long, WindowAccumulator>>> {
        private static final long serialVersionUID = 1L;
        private final long slide;
        private final int lgK;

        /** Slice start → stream → partial; sorted by slice so a watermark flushes a prefix. */
        private transient TreeMap<Long, HashMap<String, WindowAccumulator>> open;

        private transient int buffered;
        private transient long watermark;

        PreAggregate(long slide, int lgK) {
            this.slide = slide;
            this.lgK = lgK;
        }

        @Override
        public void open() throws Exception {
            super.open();
            open = new TreeMap<>();
            buffered = 0;
            watermark = Long.MIN_VALUE;
        }

        @Override
        public void processElement(StreamRecord<Event> record) {
            Event e = record.getValue();
            long slice = e.timestamp - Math.floorMod(e.timestamp, slide);
            if (slice + slide - 1 <= watermark) {
                // a window holding this slice may have fired downstream: send the event itself
                output.collect(new StreamRecord<>(Either.Left(e), e.timestamp));
                return;
            }
            WindowAccumulator acc =
                    open.computeIfAbsent(slice, s -> new HashMap<>()).get(e.streamId);
            if (acc == null) {
                acc = new WindowAccumulator();
                open.get(slice).put(e.streamId, acc);
                if (++buffered >= SlicedWindows.DEFAULT_MAX_BUFFERED) {
                    flush(Long.MAX_VALUE);
                }
            }
            acc.add(e, lgK);
        }

        @Override
        public void processWatermark(Watermark mark) throws Exception {
            // partials of the slices this watermark closes go out before it
            flush(mark.getTimestamp() - slide + 1);
            watermark = mark.getTimestamp();
            super.processWatermark(mark);
        }

        @Override
        public void processWatermarkStatus(WatermarkStatus status) throws Exception {
            if (status.isIdle()) {
                flush(Long.MAX_VALUE); // downstream stops waiting for this subtask
            }
            super.processWatermarkStatus(status);
        }

        @Override
        public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
            flush(Long.MAX_VALUE);
            super.prepareSnapshotPreBarrier(checkpointId);
        }

        /** Sends the partials of every slice starting at or before {@code upTo}. */
        private void flush(long upTo) {
            while (!open.isEmpty() && open.firstKey() <= upTo) {
                Map.Entry<Long, HashMap<String, WindowAccumulator>> slice = open.pollFirstEntry();
                for (Map.Entry<String, WindowAccumulator> p : slice.getValue().entrySet()) {
                    output.collect(
                            new StreamRecord<>(
                                    Either.Right(
                                            Tuple3.of(p.getKey(), slice.getKey(), p.getValue())),
                                    slice.getKey()));
                }
                buffered -= slice.getValue().size();
            }
        }
    }

    /**
     * Keyed slices from partials and events, windows merged at their end; events past every window
     * go to {@link SlicedWindows#LATE} as in the job. Partials past every window are counted
     * ({@code latePartials}): their events are lost, the reason this is not in the job.
     */
    static final class Slices
            extends KeyedProcessFunction<
                    String, Either<Event, Tuple3<String, Long, WindowAccumulator>>, WindowSummary> {
        private static final long serialVersionUID = 1L;
        private final long size;
        private final long slide;
        private final int lgK;
        private transient MapState<Long, WindowAccumulator> slices;
        private transient Counter latePartials;

        Slices(long size, long slide, int lgK) {
            this.size = size;
            this.slide = slide;
            this.lgK = lgK;
        }

        @Override
        public void open(OpenContext ctx) {
            slices = getRuntimeContext().getMapState(SlicedWindows.slicesDescriptor());
            latePartials = getRuntimeContext().getMetricGroup().counter("latePartials");
        }

        @Override
        public void processElement(
                Either<Event, Tuple3<String, Long, WindowAccumulator>> u,
                Context ctx,
                Collector<WindowSummary> out)
                throws Exception {
            long watermark = ctx.timerService().currentWatermark();
            long slice;
            WindowAccumulator delta;
            if (u.isLeft()) {
                Event e = u.left();
                slice = e.timestamp - Math.floorMod(e.timestamp, slide);
                if (slice + size - 1 <= watermark) {
                    ctx.output(SlicedWindows.LATE, e);
                    return;
                }
                delta = new WindowAccumulator();
                delta.add(e, lgK);
            } else {
                slice = u.right().f1;
                if (slice + size - 1 <= watermark) {
                    latePartials.inc();
                    return;
                }
                delta = u.right().f2;
            }
            WindowAccumulator state = slices.get(slice);
            if (state == null) {
                slices.put(slice, delta);
                for (long end = slice + slide; end <= slice + size; end += slide) {
                    if (end - 1 > watermark) {
                        ctx.timerService().registerEventTimeTimer(end - 1);
                    }
                }
            } else {
                state.merge(delta);
                slices.put(slice, state);
            }
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<WindowSummary> out)
                throws Exception {
            long end = timestamp + 1;
            List<WindowAccumulator> parts = new ArrayList<>();
            for (long start = end - size; start < end; start += slide) {
                WindowAccumulator s = slices.get(start);
                if (s != null) {
                    parts.add(s);
                }
            }
            if (!parts.isEmpty()) {
                out.collect(
                        EmitSummary.summarize(
                                ctx.getCurrentKey(),
                                end - size,
                                end,
                                WindowAccumulator.merged(parts, lgK)));
            }
            slices.remove(end - size);
        }
    }
}
