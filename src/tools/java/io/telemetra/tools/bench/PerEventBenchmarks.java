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
 * bench/jmh}): parse a chat record, score a message, add a chat event to a slice accumulator (its
 * HLL sketch, counts and emotes). Each invocation handles one record of a rotating corpus of 4,096.
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

    private byte[][] chatRecords;
    private Event[] events;
    private EventParser parser;
    private SentimentScorer scorer;
    private WindowAccumulator slice;
    private int i;

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

    /** A new slice every 10 s of a busy stream: about 5,000 messages from a few thousand users. */
    @Setup(Level.Iteration)
    public void newSlice() {
        slice = new WindowAccumulator();
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
        slice.add(events[next()], 12);
        return slice;
    }
}
