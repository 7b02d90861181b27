package io.telemetra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.event.Rejection;
import io.telemetra.testing.InMemoryPipeline;
import io.telemetra.testing.InMemorySource;
import io.telemetra.testing.JobRunner;
import io.telemetra.testing.TestEvent;
import io.telemetra.window.WindowSummary;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Why {@code --watermark.max-future-skew} defaults to the watermark delay: one record on every
 * partition stamped just inside the skew is accepted and moves the watermark to its timestamp minus
 * the delay. With the skew at most the delay, that is not past the present, and the live events
 * after it are counted; with a skew of minutes, the same record makes every live event after it
 * late.
 */
class FutureSkewTest {
    @RegisterExtension static final MiniClusterExtension FLINK = JobRunner.miniCluster();

    static final int LIVE_EVENTS = 200;

    @Test
    void withTheDefaultSkewOneFutureRecordPerPartitionLosesNoLiveEvent() throws Exception {
        List<Rejection> rejected = run(new String[0], 10_000);
        assertEquals(List.of(), reasons(rejected));
        assertEquals(LIVE_EVENTS + 1, chatsCounted(), "every live event and the future one");
    }

    @Test
    void withASkewOfMinutesTheSameRecordTurnsTheLiveEventsLate() throws Exception {
        List<Rejection> rejected =
                run(new String[] {"--watermark.max-future-skew", "5min"}, 300_000);
        long late = rejected.stream().filter(r -> r.reason.equals("late")).count();
        assertEquals(LIVE_EVENTS, late, reasons(rejected).toString());
    }

    /**
     * A record stamped 1 s inside the skew on each topic, then live events stamped at the wall
     * clock, with a pause between so the watermark has moved.
     */
    private static List<Rejection> run(String[] args, long skewMillis) throws Exception {
        long now = System.currentTimeMillis();
        TestEvent.MessageTemplate hello = TestEvent.MessageTemplate.ALL.get(2);
        List<InMemorySource.Item> chat = new ArrayList<>();
        List<InMemorySource.Item> viewers = new ArrayList<>();
        chat.add(
                InMemorySource.record(
                        TestEvent.chat("s", now + skewMillis - 1000, "clock-ahead", hello).json()));
        viewers.add(
                InMemorySource.record(TestEvent.viewers("s", now + skewMillis - 1000, 10).json()));
        chat.add(InMemorySource.pause());
        for (int i = 0; i < LIVE_EVENTS; i++) {
            chat.add(InMemorySource.record(TestEvent.chat("s", now + i, "u" + i, hello).json()));
        }
        InMemoryPipeline.Output out = InMemoryPipeline.run("future-skew", args, chat, viewers);
        summaries = out.summaries();
        return out.rejections();
    }

    private static List<String> reasons(List<Rejection> rejected) {
        return rejected.stream().map(r -> r.reason + ": " + r.detail).toList();
    }

    /** Chat messages counted in the windows, each once: the most any one window holds. */
    private static List<WindowSummary> summaries;

    private static long chatsCounted() {
        List<WindowSummary> windows = summaries;
        assertTrue(!windows.isEmpty());
        // all events fall within 10 s, so the window that covers them all has every one
        return windows.stream().mapToLong(w -> w.chatCount).max().orElse(0);
    }
}
