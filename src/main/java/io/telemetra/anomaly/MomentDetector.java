package io.telemetra.anomaly;

import io.telemetra.window.WindowSummary;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Flags moments per stream. It receives a stream's window summaries in window order (they fire in
 * watermark order), applies the {@link MomentRules} with the stream's {@link DetectorState}, passes
 * the summary on with its chat-rate z-score, and emits each new or extended moment on {@link
 * #MOMENTS} (the sink upserts a moment on stream, type and start, so its peak and end update).
 */
public class MomentDetector extends KeyedProcessFunction<String, WindowSummary, WindowSummary> {
    private static final long serialVersionUID = 2L;

    public static final OutputTag<Moment> MOMENTS = new OutputTag<>("moments") {};

    private final MomentRules rules;
    private transient ValueState<DetectorState> state;
    private transient Counter momentsDetected;

    public MomentDetector(MomentSettings settings, long slideMillis) {
        this.rules = new MomentRules(settings, slideMillis);
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
        for (Moment m : rules.apply(st, s)) {
            if (m.isNew) {
                momentsDetected.inc();
            }
            ctx.output(MOMENTS, m);
        }
        state.update(st);
        out.collect(s);
    }
}
