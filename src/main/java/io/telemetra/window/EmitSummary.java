package io.telemetra.window;

import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Turns a fired window's accumulator into a {@link WindowSummary} stamped with the window's bounds.
 */
public class EmitSummary
        extends ProcessWindowFunction<WindowAccumulator, WindowSummary, String, TimeWindow> {
    private static final long serialVersionUID = 1L;

    @Override
    public void process(
            String streamId,
            Context ctx,
            Iterable<WindowAccumulator> aggregated,
            Collector<WindowSummary> out) {
        WindowAccumulator acc = aggregated.iterator().next();
        TimeWindow w = ctx.window();
        out.collect(summarize(streamId, w.getStart(), w.getEnd(), acc));
    }

    public static WindowSummary summarize(
            String streamId, long start, long end, WindowAccumulator acc) {
        WindowSummary s = new WindowSummary();
        s.streamId = streamId;
        s.windowStart = start;
        s.windowEnd = end;
        s.chatCount = acc.chatCount();
        s.uniqueChatters = acc.uniqueChatters();
        s.avgSentiment = acc.avgSentiment();
        s.positiveCount = acc.positiveCount();
        s.negativeCount = acc.negativeCount();
        s.topEmotes = acc.topEmotes();
        s.topEmoteCount = s.topEmotes.length == 0 ? 0 : acc.emoteCounts().get(s.topEmotes[0]);
        s.chatRate = acc.chatCount() / ((end - start) / 1000.0);
        s.avgViewers = acc.avgViewers();
        return s;
    }
}
