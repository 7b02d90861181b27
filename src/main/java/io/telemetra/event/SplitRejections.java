package io.telemetra.event;

import java.util.EnumMap;
import org.apache.flink.api.common.accumulators.LongCounter;
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

    /** Accumulator prefix: the records read from a source, summed over subtasks. */
    public static final String RECORDS_READ = "recordsRead.";

    private final String source;
    private final long toReplay;

    private transient Counter valid;
    private transient LongCounter read;
    private transient Counter rejected;
    private transient EnumMap<RejectReason, Counter> byReason;

    /**
     * @param source which input ("chat", "viewer"), naming its records-read accumulator
     * @param toReplay the records a replay reads from it, -1 when unbounded
     */
    public SplitRejections(String source, long toReplay) {
        this.source = source;
        this.toReplay = toReplay;
    }

    @Override
    public void open(OpenContext ctx) {
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        // replay progress: the dashboard shows the accumulator (all subtasks) beside this gauge,
        // and flink run prints both (TelemetraJob)
        read = new LongCounter();
        getRuntimeContext().addAccumulator(RECORDS_READ + source, read);
        metrics.gauge("recordsToReplay", () -> toReplay);
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
        read.add(1L);
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
