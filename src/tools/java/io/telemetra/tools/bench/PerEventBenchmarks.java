package io.telemetra.tools.bench;

import io.telemetra.event.Event;
import io.telemetra.event.EventParser;
import io.telemetra.event.ParsedRecord;
import io.telemetra.sentiment.Lexicon;
import io.telemetra.sentiment.SentimentScorer;
import io.telemetra.tools.generator.ChatSimulation;
import io.telemetra.window.WindowAccumulator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-event steps, one at a time, on records from the benchmark's own generator ({@code
 * bench/jmh}): parse a chat record, score a message, and add a chat event to its slice the way
 * {@code SlicedWindows} buffers it. The slice benchmark has realistic churn: 262,144 events of the
 * generator's 1,000 power-law streams at 5,000 messages/s (about 52 s of event time), each added to
 * its own (stream, 10 s slice) accumulator, new accumulators created as slices open, and all of
 * them dropped when the corpus starts over, as closed slices are; the users are the generator's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx1g"})
public class PerEventBenchmarks {
    static final int CORPUS = 4096;
    static final int SLICE_CORPUS = 1 << 18;
    static final long SLIDE = 10_000;

    private byte[][] chatRecords;
    private Event[] events;
    private EventParser parser;
    private SentimentScorer scorer;
    private Event[] sliceEvents;
    private java.util.HashMap<String, java.util.HashMap<Long, WindowAccumulator>> open;
    private int i;
    private int j;

    @Setup
    public void setUp() {
        ChatSimulation sim =
                new ChatSimulation(7, 1000, 5000, 1_767_225_600_000L, 0, 60_000, 90_000);
        List<byte[]> chat = new ArrayList<>();
        while (chat.size() < CORPUS) {
            ChatSimulation.Record r = sim.next(label -> {});
            if (r.chat()) {
                chat.add(r.payload());
            }
        }
        chatRecords = chat.toArray(new byte[0][]);
        parser = new EventParser(Long.MAX_VALUE / 2);
        scorer = new SentimentScorer(Lexicon.builtIn());
        events = new Event[CORPUS];
        for (int k = 0; k < CORPUS; k++) {
            events[k] = parser.parse(Event.CHAT, "chat", 0, k, 0, chatRecords[k], 0).event;
            SentimentScorer.Analysis a = scorer.analyze(events[k].message, true);
            events[k].sentiment = a.score();
            events[k].emotes = a.emotes();
        }
    }

    @Setup(Level.Iteration)
    public void slices() {
        if (sliceEvents == null) {
            ChatSimulation sim =
                    new ChatSimulation(11, 1000, 5000, 1_767_225_600_000L, 0, 60_000, 90_000);
            sliceEvents = new Event[SLICE_CORPUS];
            int k = 0;
            while (k < SLICE_CORPUS) {
                ChatSimulation.Record r = sim.next(label -> {});
                if (r.chat()) {
                    Event e = parser.parse(Event.CHAT, "chat", 0, k, 0, r.payload(), 0).event;
                    SentimentScorer.Analysis a = scorer.analyze(e.message, true);
                    e.sentiment = a.score();
                    e.emotes = a.emotes();
                    sliceEvents[k++] = e;
                }
            }
        }
        open = new java.util.HashMap<>();
        j = 0;
    }

    private int next() {
        i = (i + 1) & (CORPUS - 1);
        return i;
    }

    @Benchmark
    public ParsedRecord parseChatRecord() {
        int k = next();
        return parser.parse(Event.CHAT, "chat", 0, k, 0, chatRecords[k], 0);
    }

    @Benchmark
    public SentimentScorer.Analysis scoreMessage() {
        return scorer.analyze(events[next()].message, true);
    }

    @Benchmark
    public WindowAccumulator addToSlice() {
        if (j == SLICE_CORPUS) {
            open.clear(); // the corpus starts over: its slices have closed
            j = 0;
        }
        Event e = sliceEvents[j++];
        java.util.HashMap<Long, WindowAccumulator> ofStream =
                open.computeIfAbsent(e.streamId, k -> new java.util.HashMap<>());
        WindowAccumulator slice =
                ofStream.computeIfAbsent(
                        e.timestamp - Math.floorMod(e.timestamp, SLIDE),
                        k -> new WindowAccumulator());
        slice.add(e, 12);
        return slice;
    }
}
