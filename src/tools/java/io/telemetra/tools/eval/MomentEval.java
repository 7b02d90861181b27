package io.telemetra.tools.eval;

import io.telemetra.anomaly.DetectorState;
import io.telemetra.anomaly.Moment;
import io.telemetra.anomaly.MomentRules;
import io.telemetra.anomaly.MomentSettings;
import io.telemetra.config.CommandLine;
import io.telemetra.config.CommandOption;
import io.telemetra.config.Declared;
import io.telemetra.config.Option;
import io.telemetra.config.OptionType;
import io.telemetra.config.TelemetraConfig;
import io.telemetra.event.Event;
import io.telemetra.event.EventParser;
import io.telemetra.event.ParsedRecord;
import io.telemetra.sentiment.Lexicon;
import io.telemetra.sentiment.ScoreSentiment;
import io.telemetra.sentiment.SentimentScorer;
import io.telemetra.tools.Args;
import io.telemetra.tools.generator.ChatSimulation;
import io.telemetra.window.EmitSummary;
import io.telemetra.window.WindowAccumulator;
import io.telemetra.window.WindowSummary;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code ./telemetra moment-eval}: plants the generator's scenarios in many seeded runs, computes
 * the job's windows and moment rules over them (the same classes as the job, without Flink), and
 * prints precision and recall per moment type plus the moments on streams where nothing was
 * planted.
 *
 * <p>A moment matches a planted scenario on its stream when it starts between one slide before the
 * scenario and one window after its end. Recall of a type counts the scenarios that must produce it
 * ({@link #REQUIRED}); precision counts its moments that match a scenario that explains it ({@link
 * #EXPLAINED}: a raid brings chat too, so a chat spike during a raid is right).
 */
public final class MomentEval {
    public static final List<String> TYPES =
            List.of(
                    Moment.CHAT_SPIKE,
                    Moment.VIEWER_SPIKE,
                    Moment.VIEWER_DROP,
                    Moment.SENTIMENT_SWING,
                    Moment.EMOTE_FLOOD);

    /** The moment type each planted scenario must produce. */
    public static final Map<String, String> REQUIRED =
            Map.of(
                    "hype_burst", Moment.CHAT_SPIKE,
                    "raid", Moment.VIEWER_SPIKE,
                    "viewer_drop", Moment.VIEWER_DROP,
                    "sentiment_collapse", Moment.SENTIMENT_SWING,
                    "emote_flood", Moment.EMOTE_FLOOD);

    /** Every moment type a scenario legitimately causes. */
    public static final Map<String, List<String>> EXPLAINED =
            Map.of(
                    "hype_burst", List.of(Moment.CHAT_SPIKE, Moment.SENTIMENT_SWING),
                    "raid", List.of(Moment.VIEWER_SPIKE, Moment.CHAT_SPIKE),
                    "viewer_drop", List.of(Moment.VIEWER_DROP),
                    // the generator's collapse also raises the stream's chat by half
                    "sentiment_collapse", List.of(Moment.SENTIMENT_SWING, Moment.CHAT_SPIKE),
                    "emote_flood", List.of(Moment.EMOTE_FLOOD, Moment.CHAT_SPIKE));

    public static final long SIZE = 60_000;
    static final long SLIDE = 10_000;
    static final long START = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

    /** Counts per type, summed over seeds. */
    public static final class Counts {
        public final Map<String, int[]> byType =
                new LinkedHashMap<>(); // planted, found, moments, right
        public int steadyMoments;
        public double steadyStreamHours;

        Counts() {
            TYPES.forEach(t -> byType.put(t, new int[4]));
        }

        public double recall(String type) {
            int[] c = byType.get(type);
            return c[0] == 0 ? Double.NaN : (double) c[1] / c[0];
        }

        public double precision(String type) {
            int[] c = byType.get(type);
            return c[2] == 0 ? Double.NaN : (double) c[3] / c[2];
        }
    }

    private MomentEval() {}

    /** The evaluation's own options; the job's moment options are accepted too (same defaults). */
    static final List<CommandOption> OWN =
            List.of(
                    Args.number("seeds", "20", 1, "seeded runs of the generator"),
                    Args.number("minutes", "30", 1, "event time per run"),
                    Args.number("streams", "20", 1, "streams per run"),
                    Args.decimal("rate", "100", 0.001, 1e6, "messages per second, all streams"));

    static final List<Declared> OPTIONS = options();

    private static List<Declared> options() {
        List<Declared> all = new ArrayList<>(OWN);
        for (Option o : Option.values()) {
            if (o.group() == Option.Group.MOMENTS) {
                all.add(o);
            }
        }
        return all;
    }

    /** The job's default moment settings with the given baseline. */
    public static MomentSettings defaults(MomentSettings.BaselineKind baseline) {
        return settings(new String[0], baseline);
    }

    /**
     * The moment settings of {@code args} (job option names and defaults), with {@code baseline}.
     */
    static MomentSettings settings(String[] args, MomentSettings.BaselineKind baseline) {
        String[] withBaseline = Arrays.copyOf(args, args.length + 2);
        withBaseline[args.length] = "--" + Option.ANOMALY_BASELINE.argName();
        withBaseline[args.length + 1] = OptionType.name(baseline);
        return TelemetraConfig.momentSettings(
                new CommandLine(withBaseline, OPTIONS), Duration.ofMillis(SLIDE));
    }

    public static Counts evaluate(
            MomentSettings settings, int seeds, int minutes, int streams, double rate) {
        Counts counts = new Counts();
        Lexicon lexicon = Lexicon.builtIn();
        for (int seed = 1; seed <= seeds; seed++) {
            runOne(seed, settings, minutes, streams, rate, lexicon, counts);
        }
        return counts;
    }

    private static void runOne(
            long seed,
            MomentSettings settings,
            int minutes,
            int streams,
            double rate,
            Lexicon lexicon,
            Counts counts) {
        ChatSimulation sim = new ChatSimulation(seed, streams, rate, START, 0, 150_000, 120_000);
        List<ChatSimulation.Label> labels = new ArrayList<>();
        EventParser parser = new EventParser(Long.MAX_VALUE / 4);
        ScoreSentiment scoring = new ScoreSentiment(new SentimentScorer(lexicon));
        long end = START + minutes * 60_000L;
        // stream -> window start -> accumulator: the job's aggregate, windowed by hand
        Map<String, TreeMap<Long, WindowAccumulator>> windows = new HashMap<>();
        for (ChatSimulation.Record r = sim.next(labels::add);
                r.timestamp() < end;
                r = sim.next(labels::add)) {
            ParsedRecord p =
                    parser.parse(
                            r.chat() ? Event.CHAT : Event.VIEWER, "t", 0, 0, 0, r.payload(), end);
            if (p.event == null) {
                continue;
            }
            Event e = scoring.map(p.event);
            TreeMap<Long, WindowAccumulator> mine =
                    windows.computeIfAbsent(e.streamId, k -> new TreeMap<>());
            long last = Math.floorDiv(e.timestamp, SLIDE) * SLIDE;
            for (long start = last; start > e.timestamp - SIZE; start -= SLIDE) {
                mine.computeIfAbsent(start, k -> new WindowAccumulator()).add(e, 12);
            }
        }
        // each stream's windows in order through the rules; a moment's last emission wins
        Map<String, Moment> moments = new LinkedHashMap<>();
        MomentRules rules = new MomentRules(settings, SLIDE);
        windows.forEach(
                (stream, byStart) -> {
                    DetectorState st = new DetectorState();
                    byStart.forEach(
                            (start, acc) -> {
                                if (start + SIZE > end) {
                                    return; // not closed by the end of the run
                                }
                                WindowSummary s =
                                        EmitSummary.summarize(stream, start, start + SIZE, acc);
                                for (Moment m : rules.apply(st, s)) {
                                    moments.put(
                                            m.streamId + "|" + m.momentType + "|" + m.timestamp, m);
                                }
                            });
                });

        for (ChatSimulation.Label l : labels) {
            if (l.end() + SIZE > end) {
                continue; // not over by the end of the run
            }
            int[] c = counts.byType.get(REQUIRED.get(l.kind()));
            c[0]++;
            if (moments.values().stream()
                    .anyMatch(m -> m.momentType.equals(REQUIRED.get(l.kind())) && matches(m, l))) {
                c[1]++;
            }
        }
        java.util.Set<String> plantedStreams = new java.util.HashSet<>();
        labels.forEach(l -> plantedStreams.add(l.streamId()));
        // a scenario explains one moment per type: a burst split in two counts one right, one wrong
        java.util.Set<String> explained = new java.util.HashSet<>();
        for (Moment m : moments.values()) {
            int[] c = counts.byType.get(m.momentType);
            c[2]++;
            for (ChatSimulation.Label l : labels) {
                if (matches(m, l)
                        && EXPLAINED.get(l.kind()).contains(m.momentType)
                        && explained.add(l + m.momentType)) {
                    c[3]++;
                    break;
                }
            }
            if (!plantedStreams.contains(m.streamId)) {
                counts.steadyMoments++;
            }
        }
        counts.steadyStreamHours += (windows.size() - plantedStreams.size()) * minutes / 60.0;
    }

    public static boolean matches(Moment m, ChatSimulation.Label l) {
        return m.streamId.equals(l.streamId())
                && m.timestamp >= l.start() - SLIDE
                && m.timestamp <= l.end() + SIZE;
    }

    public static void run(String[] args, PrintStream out) {
        CommandLine v = new CommandLine(args, OPTIONS);
        int seeds = (int) (long) v.<Long>get(OWN.get(0));
        int minutes = (int) (long) v.<Long>get(OWN.get(1));
        int streams = (int) (long) v.<Long>get(OWN.get(2));
        double rate = v.get(OWN.get(3));
        List<MomentSettings.BaselineKind> kinds =
                v.isSet(Option.ANOMALY_BASELINE)
                        ? List.of(v.<MomentSettings.BaselineKind>get(Option.ANOMALY_BASELINE))
                        : List.of(MomentSettings.BaselineKind.values());
        out.printf(
                Locale.ROOT,
                "%d seeds x %d min, %d streams, %.0f messages/s, scenarios every ~2 min, default"
                        + " thresholds%n",
                seeds,
                minutes,
                streams,
                rate);
        for (MomentSettings.BaselineKind kind : kinds) {
            Counts c = evaluate(settings(args, kind), seeds, minutes, streams, rate);
            out.printf(Locale.ROOT, "%nbaseline %s%n", kind.name().toLowerCase(Locale.ROOT));
            out.printf(
                    Locale.ROOT,
                    "  %-16s %8s %6s %7s %8s %6s %9s%n",
                    "type",
                    "planted",
                    "found",
                    "recall",
                    "moments",
                    "right",
                    "precision");
            for (String t : TYPES) {
                int[] n = c.byType.get(t);
                out.printf(
                        Locale.ROOT,
                        "  %-16s %8d %6d %7.3f %8d %6d %9.3f%n",
                        t,
                        n[0],
                        n[1],
                        c.recall(t),
                        n[2],
                        n[3],
                        c.precision(t));
            }
            out.printf(
                    Locale.ROOT,
                    "  moments on streams with nothing planted: %d in %.0f stream-hours (%.2f per"
                            + " stream-hour)%n",
                    c.steadyMoments,
                    c.steadyStreamHours,
                    c.steadyMoments / Math.max(c.steadyStreamHours, 1e-9));
        }
    }

    public static final String USAGE =
            "Usage: ./telemetra moment-eval [options]\n"
                + "Plants scenarios with the generator in seeded runs, runs the job's windows and"
                + " moment rules, and prints precision and recall per moment type, for both"
                + " baselines unless --anomaly.baseline is given. The job's moment options set the"
                + " rules (same names and defaults as the job).\n"
                    + CommandLine.usage(OPTIONS);
}
