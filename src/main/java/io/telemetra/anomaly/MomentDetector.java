package io.telemetra.anomaly;

import io.telemetra.window.WindowSummary;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Flags moments per stream. It receives a stream's window summaries in window order (they fire in
 * watermark order), applies the {@link MomentRules} with the stream's {@link DetectorState}, passes
 * the summary on with its chat-rate z-score, and emits each new or extended moment on {@link
 * #MOMENTS} (the sink upserts a moment on stream, type and start, so its peak and end update).
 *
 * <p>A stream's state expires: one event-time timer per stream, at the end of its newest window
 * plus {@link MomentSettings#stateExpiry()}, is moved forward by each newer window; when it fires
 * the stream has been silent that long and its state is cleared. A stream that comes back later
 * starts like a new one, with a warm-up. The timer's time is computed from {@link
 * DetectorState#lastWindowStart}, so expiring costs no state. It runs on event time because Flink's
 * state TTL counts processing time only: a replay or backfill, reading hours of chat in minutes,
 * would keep every stream's state though it had long ended (or, read slowly, drop it mid-stream);
 * on event time a replay keeps and drops state exactly as the live run did.
 *
 * <p>A moment still open when the state expires is not closed or written again: every window that
 * extended it was written when it fired, so its row in PostgreSQL already holds its peak and its
 * end (its last anomalous window). After the expiry no later burst can join it anyway as long as
 * the expiry is longer than the cool-down.
 *
 * <p>Streams restored from a savepoint of 0.1.0 or 0.2.0 have no such timer: each gets one with its
 * next window, and one that never sends again keeps its state.
 */
public class MomentDetector extends KeyedProcessFunction<String, WindowSummary, WindowSummary> {
    private static final long serialVersionUID = 3L;

    public static final OutputTag<Moment> MOMENTS = new OutputTag<>("moments") {};

    private final MomentRules rules;
    private final long windowSizeMillis;
    private final long expiryMillis;
    private transient ValueState<DetectorState> state;
    private transient Counter momentsDetected;

    public MomentDetector(MomentSettings settings, long windowSizeMillis, long slideMillis) {
        this.rules = new MomentRules(settings, slideMillis);
        this.windowSizeMillis = windowSizeMillis;
        this.expiryMillis = settings.stateExpiry().toMillis();
    }

    public static ValueStateDescriptor<DetectorState> stateDescriptor() {
        return new ValueStateDescriptor<>("baseline", TypeInformation.of(DetectorState.class));
    }

    @Override
    public void open(OpenContext ctx) {
        state = getRuntimeContext().getState(stateDescriptor());
        momentsDetected = getRuntimeContext().getMetricGroup().counter("momentsDetected");
    }

    @Override
    public void processElement(WindowSummary s, Context ctx, Collector<WindowSummary> out)
            throws Exception {
        DetectorState st = state.value();
        if (st == null) {
            st = new DetectorState();
        }
        long previous = st.lastWindowStart;
        for (Moment m : rules.apply(st, s)) {
            if (m.isNew) {
                momentsDetected.inc();
            }
            ctx.output(MOMENTS, m);
        }
        state.update(st);
        if (st.lastWindowStart != previous) {
            // a newer window (a late re-firing leaves it): the silence now counts from its end
            TimerService timers = ctx.timerService();
            if (previous != Long.MIN_VALUE) {
                timers.deleteEventTimeTimer(expiresAt(previous));
            }
            timers.registerEventTimeTimer(expiresAt(st.lastWindowStart));
        }
        out.collect(s);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<WindowSummary> out)
            throws Exception {
        DetectorState st = state.value();
        if (st == null) {
            return;
        }
        long expiresAt = expiresAt(st.lastWindowStart);
        if (expiresAt <= timestamp) {
            state.clear();
        } else {
            // a timer set before a restart with a shorter window or expiry, which the newer window
            // could not delete: the stream is not silent for long enough yet
            ctx.timerService().registerEventTimeTimer(expiresAt);
        }
    }

    /** When the state of a stream whose newest window starts at {@code windowStart} expires. */
    private long expiresAt(long windowStart) {
        long end = windowStart + windowSizeMillis;
        // an expiry of centuries ends at the end of time rather than overflowing into the past
        return expiryMillis > Long.MAX_VALUE - end ? Long.MAX_VALUE : end + expiryMillis;
    }
}
