package io.telemetra.window;

import io.telemetra.event.Event;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sliding event-time windows built from slices, per stream. Each event updates exactly one
 * accumulator: that of the slide-long slice it falls in. When the watermark passes a window's end
 * the window's slices are merged (sums, one HLL union, emote counts) into its summary. Flink's
 * {@code SlidingEventTimeWindows} would instead add every event to all size/slide windows it
 * belongs to (6 updates and 6 sketch updates per event at 60 s / 10 s); this is how Flink SQL's HOP
 * windows avoid that cost.
 *
 * <p>Results equal those of {@code SlidingEventTimeWindows} with {@link ChatAggregate} and {@link
 * EmitSummary}, including its treatment of lateness: an event is late (and goes to {@link #LATE})
 * only when every window it belongs to is past its end plus the allowed lateness; an event for a
 * window already written but still within the allowed lateness writes that window again.
 *
 * <p>State per stream: one accumulator per slice still needed, at most size/slide + lateness/slide
 * + 1 of them, and event-time timers: one at the end of the stream's next window (each window's
 * timer registers the next while slices remain for it; a slice that starts a new run registers its
 * own), plus, with allowed lateness, one at each slice's last lateness end. A slice is dropped by
 * the timer of the last window that can still use it, so once the watermark passes a stream's last
 * window plus the allowed lateness the stream has no state and no timer left: a stream that ends
 * costs nothing afterwards.
 *
 * <p><b>Updates are buffered in memory, not written to state per event.</b> A slice accumulator
 * holds a HyperLogLog sketch of up to a few KiB; on RocksDB, reading and writing it for every event
 * would (de)serialize it every time. Instead each event goes into an in-memory delta for its
 * (stream, slice), and deltas are merged into keyed state (one read and one write per slice) only
 * when their state is needed or must be durable: when a timer of that stream fires (before its
 * window is merged), before a late update rewrites a window of that stream, before every checkpoint
 * barrier ({@link SlicedWindowsOperator#prepareSnapshotPreBarrier}), and when the buffer holds
 * {@link #DEFAULT_MAX_BUFFERED} deltas. Flink SQL's mini-batch aggregation works the same way.
 * Results, lateness decisions and late events are exactly those of the unbuffered operator: the
 * lateness test reads only the watermark, every window is merged after its stream's deltas are
 * flushed, and a checkpoint contains every event it has seen.
 *
 * <p>Run it with {@link SlicedWindowsOperator}, which performs the checkpoint and size-bound
 * flushes (they switch the key, which a function cannot).
 */
public class SlicedWindows extends KeyedProcessFunction<String, Event, WindowSummary> {
    private static final long serialVersionUID = 1L;

    /**
     * Deltas buffered before all are flushed. A delta of a quiet stream is a few hundred bytes; a
     * busy stream's sketch can reach 4 KiB at lg k 12, so at most about 40 MiB per subtask in the
     * worst case, and a flush of this many slices costs milliseconds on the heap backend.
     */
    public static final int DEFAULT_MAX_BUFFERED = 10_000;

    /** Events that arrived after every window they belong to had been written. */
    public static final OutputTag<Event> LATE = new OutputTag<>("late-events") {};

    private final long size;
    private final long slide;
    private final long lateness;
    private final int sketchLgK;
    private final int maxBuffered;

    private transient MapState<Long, WindowAccumulator> slices;

    /** Stream → slice start → the events of that slice not yet merged into {@link #slices}. */
    private transient HashMap<String, HashMap<Long, WindowAccumulator>> buffered;

    private transient int bufferedCount;

    /**
     * Windows that version 0.1.0's window operator had open when its savepoint was taken, by window
     * end, as {@code ./telemetra migrate-savepoint} carries them over: each is merged into its
     * window when that fires, then dropped. Empty in a job that did not start from such a
     * savepoint.
     */
    private transient MapState<Long, WindowAccumulator> carried;

    /**
     * False once {@link SlicedWindowsOperator} has found no window carried over from 0.1.0 in this
     * subtask's state: then a window's merge and a timer skip {@link #carried}, a state read each
     * (on RocksDB a lookup, at 100,000 streams a sixth of the window's reads).
     */
    private transient boolean carriedMayExist;

    public SlicedWindows(long sizeMillis, long slideMillis, long latenessMillis, int sketchLgK) {
        this(sizeMillis, slideMillis, latenessMillis, sketchLgK, DEFAULT_MAX_BUFFERED);
    }

    /** As above, flushing every buffered delta once {@code maxBuffered} are held (at least 1). */
    public SlicedWindows(
            long sizeMillis,
            long slideMillis,
            long latenessMillis,
            int sketchLgK,
            int maxBuffered) {
        if (maxBuffered < 1) {
            throw new IllegalArgumentException("maxBuffered must be at least 1");
        }
        if (sizeMillis <= 0 || slideMillis <= 0 || sizeMillis % slideMillis != 0) {
            throw new IllegalArgumentException(
                    "window size "
                            + sizeMillis
                            + " ms must be a positive multiple of the slide "
                            + slideMillis
                            + " ms");
        }
        if (latenessMillis < 0) {
            throw new IllegalArgumentException("allowed lateness must not be negative");
        }
        this.size = sizeMillis;
        this.slide = slideMillis;
        this.lateness = latenessMillis;
        this.sketchLgK = sketchLgK;
        this.maxBuffered = maxBuffered;
    }

    /** Slice start (epoch-aligned, like Flink's window starts) → that slice's accumulator. */
    public static MapStateDescriptor<Long, WindowAccumulator> slicesDescriptor() {
        return new MapStateDescriptor<>(
                "slices", Types.LONG, TypeInformation.of(WindowAccumulator.class));
    }

    public static MapStateDescriptor<Long, WindowAccumulator> carriedDescriptor() {
        return new MapStateDescriptor<>(
                "windows-from-0.1.0", Types.LONG, TypeInformation.of(WindowAccumulator.class));
    }

    @Override
    public void open(OpenContext ctx) {
        slices = getRuntimeContext().getMapState(slicesDescriptor());
        carried = getRuntimeContext().getMapState(carriedDescriptor());
        buffered = new HashMap<>();
        bufferedCount = 0;
        carriedMayExist = true;
    }

    /** Called after restore when this subtask's state holds no window carried over from 0.1.0. */
    void noCarriedWindows() {
        carriedMayExist = false;
    }

    @Override
    public void processElement(Event e, Context ctx, Collector<WindowSummary> out)
            throws Exception {
        long sliceStart = e.timestamp - Math.floorMod(e.timestamp, slide);
        long lastWindowEnd = sliceStart + size; // the newest window this slice belongs to
        long watermark = ctx.timerService().currentWatermark();
        if (lastWindowEnd - 1 + lateness <= watermark) {
            ctx.output(LATE, e);
            return;
        }
        String stream = ctx.getCurrentKey();
        HashMap<Long, WindowAccumulator> ofStream = buffered.get(stream);
        if (ofStream == null) {
            ofStream = new HashMap<>();
            buffered.put(stream, ofStream);
        }
        WindowAccumulator delta = ofStream.get(sliceStart);
        // A new delta registers the timer of its slice's oldest pending window; each window's
        // timer registers the next one while slices remain for it (onTimer). The slice may
        // already be in state with that timer: registering a timer again is a no-op, and happens
        // once per slice and flush, where a state read to find out would cost a sketch's
        // deserialization.
        boolean created = delta == null;
        if (created) {
            delta = new WindowAccumulator();
            ofStream.put(sliceStart, delta);
            bufferedCount++;
        }
        delta.add(e, sketchLgK);

        // windows [end - size, end) holding this slice end at sliceStart + slide .. + size;
        // newest first, the order in which Flink's window operator writes late updates
        boolean flushed = false;
        long oldestPending = 0;
        for (long end = lastWindowEnd; end > sliceStart; end -= slide) {
            if (end - 1 > watermark) {
                oldestPending = end;
            } else if (end - 1 + lateness > watermark) {
                if (!flushed) {
                    flush(stream);
                    flushed = true;
                }
                out.collect(window(stream, end)); // a late update of a written window
            }
        }
        if (created && oldestPending != 0) {
            ctx.timerService().registerEventTimeTimer(oldestPending - 1);
        }
        if (created && lateness > 0) {
            ctx.timerService().registerEventTimeTimer(lastWindowEnd - 1 + lateness);
        }
    }

    /** Deltas held in memory, not yet in keyed state. */
    int bufferedCount() {
        return bufferedCount;
    }

    boolean bufferFull() {
        return bufferedCount >= maxBuffered;
    }

    /**
     * Merges every buffered delta into keyed state, switching the key with {@code setKey} (the
     * operator's key context) for each stream.
     */
    void flushAll(Consumer<String> setKey) throws Exception {
        if (bufferedCount == 0) {
            return;
        }
        for (String stream : new ArrayList<>(buffered.keySet())) {
            setKey.accept(stream);
            flush(stream);
        }
    }

    /** Merges the buffered deltas of {@code stream}, the current key, into its slices. */
    private void flush(String stream) throws Exception {
        HashMap<Long, WindowAccumulator> ofStream = buffered.remove(stream);
        if (ofStream == null) {
            return;
        }
        for (Map.Entry<Long, WindowAccumulator> d : ofStream.entrySet()) {
            WindowAccumulator slice = slices.get(d.getKey());
            if (slice == null) {
                slices.put(d.getKey(), d.getValue());
            } else {
                slice.merge(d.getValue());
                slices.put(d.getKey(), slice);
            }
        }
        bufferedCount -= ofStream.size();
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<WindowSummary> out)
            throws Exception {
        flush(ctx.getCurrentKey());
        long end = timestamp + 1;
        if (Math.floorMod(end, slide) == 0) {
            WindowAccumulator[] bySlice = slicesOf(end);
            WindowSummary s = window(ctx.getCurrentKey(), end, bySlice);
            if (s != null) {
                out.collect(s);
            }
            // every slice of this window but the oldest belongs to the next one too: while there
            // is one, the next window gets its timer. One timer registration per window, where
            // each slice registering all size/slide of its windows cost a write each on RocksDB.
            // (A 0.2.0 savepoint's timers, registered that way, still fire, each once.)
            for (int i = 1; i < bySlice.length; i++) {
                if (bySlice[i] != null) {
                    ctx.timerService().registerEventTimeTimer(end + slide - 1);
                    break;
                }
            }
        }
        // drop the slice no window can use any more: the one whose last window's lateness ends
        // now. That timer always exists: with lateness, the slice registered it when created;
        // without, it is the slice's last window's, reached by the chain above (the slice is in
        // every earlier window of the chain). So each slice is removed by exactly one timer, with
        // a point delete: no scan over the stream's slices (on RocksDB an iterator per timer).
        // The heap backend's remove() drops the stream's map with its last entry.
        long expiring = timestamp + 1 - size - lateness;
        if (Math.floorMod(expiring, slide) == 0) {
            slices.remove(expiring);
        }
        if (carriedMayExist && !carried.isEmpty()) {
            Iterator<Long> ends = carried.keys().iterator();
            boolean carriedLeft = false;
            while (ends.hasNext()) {
                if (ends.next() - 1 + lateness <= timestamp) {
                    ends.remove();
                } else {
                    carriedLeft = true;
                }
            }
            if (!carriedLeft) {
                carried.clear();
            }
        }
    }

    /** The window ending at {@code end} merged from its slices, or null when none holds events. */
    private WindowSummary window(String streamId, long end) throws Exception {
        return window(streamId, end, slicesOf(end));
    }

    /**
     * The slices of the window ending at {@code end}, oldest first, null where there is none. One
     * pass over the stream's slices (at most size/slide + lateness/slide + 1 of them) rather than a
     * lookup per slice: on RocksDB one seek instead of six point reads, and the values of slices
     * outside the window are never deserialized.
     */
    private WindowAccumulator[] slicesOf(long end) throws Exception {
        long start = end - size;
        WindowAccumulator[] bySlice = new WindowAccumulator[(int) (size / slide)];
        for (Map.Entry<Long, WindowAccumulator> slice : slices.entries()) {
            long at = slice.getKey();
            if (at >= start && at < end) {
                bySlice[(int) ((at - start) / slide)] = slice.getValue();
            }
        }
        return bySlice;
    }

    private WindowSummary window(String streamId, long end, WindowAccumulator[] bySlice)
            throws Exception {
        List<WindowAccumulator> parts = new ArrayList<>(bySlice.length + 1);
        for (WindowAccumulator slice : bySlice) {
            if (slice != null) {
                parts.add(slice);
            }
        }
        WindowAccumulator before = carriedMayExist ? carried.get(end) : null;
        if (before != null) {
            parts.add(before);
        }
        if (parts.isEmpty()) {
            return null;
        }
        return EmitSummary.summarize(
                streamId, end - size, end, WindowAccumulator.merged(parts, sketchLgK));
    }
}
