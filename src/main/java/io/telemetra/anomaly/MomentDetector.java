package io.telemetra.anomaly;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.telemetra.window.WindowSummary;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Locale;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Flags chat spikes. For each stream it receives the window summaries in window order, scores each
 * window's chat rate against the previous N windows, {@code z = (x - mean) / max(stddev,
 * minStddev)}, writes the z-score on the summary, and emits a {@link Moment} on {@link #MOMENTS}
 * while z stays at or above the threshold. Consecutive anomalous windows are one moment whose peak
 * intensity is updated.
 *
 * <p>Windows a stream did not fire (no event at all) count as rate 0 in the baseline; after a
 * silence of N windows or more the baseline starts over. A window re-fired by allowed lateness
 * leaves the baseline untouched and carries no z-score, so the sink keeps the value from its first
 * firing.
 */
public class MomentDetector extends KeyedProcessFunction<String, WindowSummary, WindowSummary> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<Moment> MOMENTS = new OutputTag<>("moments") {};

    private final int history;
    private final double threshold;
    private final double minStddev;
    private final long slideMillis;

    private transient ValueState<DetectorState> state;
    private transient Counter momentsDetected;
    private transient JsonFactory json;

    public MomentDetector(int history, double threshold, double minStddev, long slideMillis) {
        this.history = history;
        this.threshold = threshold;
        this.minStddev = minStddev;
        this.slideMillis = slideMillis;
    }

    public static ValueStateDescriptor<DetectorState> stateDescriptor() {
        return new ValueStateDescriptor<>("baseline", TypeInformation.of(DetectorState.class));
    }

    @Override
    public void open(OpenContext ctx) {
        state = getRuntimeContext().getState(stateDescriptor());
        momentsDetected = getRuntimeContext().getMetricGroup().counter("momentsDetected");
        json = new JsonFactory();
    }

    @Override
    public void processElement(WindowSummary s, Context ctx, Collector<WindowSummary> out)
            throws Exception {
        DetectorState st = state.value();
        if (st == null) {
            st = DetectorState.withCapacity(history);
        } else {
            st.resize(history);
        }

        if (st.lastWindowStart != Long.MIN_VALUE && s.windowStart <= st.lastWindowStart) {
            // a late re-firing of a window already scored: its baseline has moved on since
            s.zScore = null;
            s.anomaly = false;
            out.collect(s);
            return;
        }

        if (st.lastWindowStart != Long.MIN_VALUE) {
            long missing = (s.windowStart - st.lastWindowStart) / slideMillis - 1;
            if (missing >= history) {
                st = DetectorState.withCapacity(history);
            } else {
                for (long i = 0; i < missing; i++) {
                    st.push(0.0);
                }
                if (missing > 0) {
                    st.momentStart = -1; // not consecutive: a burst ended in the gap
                }
            }
        }

        if (st.isFull()) {
            double mean = st.mean();
            double sd = st.stddev();
            double z = (s.chatRate - mean) / Math.max(sd, minStddev);
            s.zScore = z;
            s.anomaly = z >= threshold;
            if (s.anomaly) {
                ctx.output(MOMENTS, updateMoment(st, s, z, mean, sd));
            } else {
                st.momentStart = -1;
            }
        } else {
            s.zScore = null;
            s.anomaly = false;
        }

        st.push(s.chatRate);
        st.lastWindowStart = s.windowStart;
        state.update(st);
        out.collect(s);
    }

    private Moment updateMoment(
            DetectorState st, WindowSummary s, double z, double mean, double sd) {
        if (!st.momentOpen()) {
            // the window became anomalous with its newest slide, so that is when the burst started
            st.momentStart = s.windowEnd - slideMillis;
            st.momentPeak = z;
            st.momentPeakWindowStart = s.windowStart;
            st.momentWindows = 1;
            momentsDetected.inc();
        } else {
            st.momentWindows++;
            if (z > st.momentPeak) {
                st.momentPeak = z;
                st.momentPeakWindowStart = s.windowStart;
            }
        }
        Moment m = new Moment();
        m.streamId = s.streamId;
        m.timestamp = st.momentStart;
        m.momentType = Moment.CHAT_SPIKE;
        m.intensity = st.momentPeak;
        m.description =
                String.format(
                        Locale.ROOT,
                        "Chat spike: %.2f messages/s against a usual %.2f (z = %.1f)",
                        s.chatRate,
                        mean,
                        z);
        m.metadata = metadata(st, s, z, mean, sd);
        return m;
    }

    private String metadata(DetectorState st, WindowSummary s, double z, double mean, double sd) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = json.createGenerator(w)) {
            g.writeStartObject();
            g.writeNumberField("chat_count", s.chatCount);
            g.writeNumberField("chat_rate", s.chatRate);
            g.writeNumberField("z_score", z);
            g.writeNumberField("baseline_mean", mean);
            g.writeNumberField("baseline_stddev", sd);
            g.writeNumberField("min_stddev", minStddev);
            g.writeNumberField("threshold", threshold);
            g.writeNumberField("baseline_windows", history);
            g.writeArrayFieldStart("top_emotes");
            for (String e : s.topEmotes) {
                g.writeString(e);
            }
            g.writeEndArray();
            g.writeStringField("window_start", Instant.ofEpochMilli(s.windowStart).toString());
            g.writeStringField("window_end", Instant.ofEpochMilli(s.windowEnd).toString());
            g.writeStringField(
                    "peak_window_start", Instant.ofEpochMilli(st.momentPeakWindowStart).toString());
            g.writeNumberField("anomalous_windows", st.momentWindows);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }
}
