package io.telemetra.event;

import java.util.EnumMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sends valid events on and rejections to the {@link #REJECTED} side output, counting both.
 * Counters: {@code eventsValid}, {@code eventsRejected}, and {@code rejected.<reason>} per reason.
 */
public class SplitRejections extends ProcessFunction<ParsedRecord, Event> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<Rejection> REJECTED = new OutputTag<>("rejected") {};

    private transient Counter valid;
    private transient Counter rejected;
    private transient EnumMap<RejectReason, Counter> byReason;

    @Override
    public void open(OpenContext ctx) {
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        valid = metrics.counter("eventsValid");
        rejected = metrics.counter("eventsRejected");
        byReason = new EnumMap<>(RejectReason.class);
        MetricGroup reasons = metrics.addGroup("rejected");
        for (RejectReason r : RejectReason.values()) {
            byReason.put(r, reasons.counter(r.code()));
        }
    }

    @Override
    public void processElement(ParsedRecord record, Context ctx, Collector<Event> out) {
        if (record.isValid()) {
            valid.inc();
            out.collect(record.event);
        } else {
            rejected.inc();
            Counter c = byReason.get(reasonOf(record.rejection));
            if (c != null) {
                c.inc();
            }
            ctx.output(REJECTED, record.rejection);
        }
    }

    private static RejectReason reasonOf(Rejection r) {
        for (RejectReason reason : RejectReason.values()) {
            if (reason.code().equals(r.reason)) {
                return reason;
            }
        }
        return null;
    }
}
