package io.telemetra.tools.generator;

import io.telemetra.event.Event;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A deterministic simulation of many live streams' chat and viewer counts, in event-time order.
 *
 * <p>Shape: stream popularity follows a power law (a few huge streams, many small ones); messages
 * arrive as Poisson processes; chatters' activity is heavy-tailed; messages come from chat-like
 * templates with emotes, caps and repetition; viewer counts are a random walk reported every 10 s.
 * Planted scenarios (hype bursts, raids, sentiment collapses, emote floods) are reported to a
 * {@link Label} consumer with their stream and time span, as ground truth for detection quality.
 *
 * <p>The same seed and start time give byte-identical records.
 */
public final class ChatSimulation {
    /**
     * One Kafka record to produce: which topic, its event time, and the bytes; or, from a
     * simulation made {@link #asEvents}, the parsed event instead of the bytes.
     */
    public record Record(
            boolean chat, long timestamp, byte[] payload, String malformedKind, Event event) {}

    /** A planted scenario: {@code kind} on {@code streamId} during [start, end) in epoch ms. */
    public record Label(String streamId, String kind, long start, long end) {}

    public static final String[] SCENARIOS = {
        "hype_burst", "raid", "sentiment_collapse", "emote_flood", "viewer_drop"
    };

    private static final String[] POSITIVE = {
        "PogChamp", "LETS GOOO", "what a play Pog", "insane clutch", "GG", "this is amazing",
                "best stream ever",
        "Pog Pog Pog", "so good", "KEKW that was great", "hype hype", "love this", "EZ Clap",
                "nice one"
    };
    private static final String[] NEUTRAL = {
        "hi chat", "what game is this", "first time here", "o7", "anyone else lagging?", "!uptime",
                "lol",
        "where is he from", "what rank is he", "KEKW", "LUL", "hello from brazil", "Kappa",
                "time for bed"
    };
    private static final String[] NEGATIVE = {
        "this is so boring",
        "ResidentSleeper",
        "worst play ever",
        "NotLikeThis",
        "he is throwing",
        "trash team",
        "so bad",
        "BibleThump",
        "lag again",
        "FeelsBadMan",
        "unlucky",
        "cringe",
        "i hate this map",
        "rip"
    };
    private static final String[] FLOOD_EMOTES = {
        "KEKW", "LUL", "PogChamp", "Kreygasm", "monkaS", "Sadge"
    };

    private final Random rnd;
    private final int streams;
    private final double malformedRate;
    private final String[] streamIds;
    private final double[] baseRate;
    private final int[] userPool;
    private final double[] viewers;
    private final long[] nextViewerReport;
    private final long firstScenario;
    private final long scenarioEvery;

    // the scenario currently planted (one at a time keeps the labels unambiguous)
    private int scenarioStream = -1;
    private String scenarioKind;
    private long scenarioEnd;
    private long nextScenario;
    private int scenarioCount;
    private int malformedCount;
    private boolean asEvents;

    private long tick; // start of the current 100 ms slot
    private final ArrayList<Record> slot = new ArrayList<>();
    private int slotPos;

    /**
     * @param chatRate messages per second over all streams (viewer reports come on top: one per
     *     stream every 10 s)
     */
    public ChatSimulation(
            long seed,
            int streams,
            double chatRate,
            long start,
            double malformedRate,
            long firstScenarioAfterMillis,
            long scenarioEveryMillis) {
        this.rnd = new Random(seed);
        this.streams = streams;
        this.malformedRate = malformedRate;
        this.streamIds = new String[streams];
        this.baseRate = new double[streams];
        this.userPool = new int[streams];
        this.viewers = new double[streams];
        this.nextViewerReport = new long[streams];
        double norm = 0;
        for (int i = 0; i < streams; i++) {
            norm += weight(i);
        }
        for (int i = 0; i < streams; i++) {
            double share = weight(i) / norm;
            streamIds[i] = String.format("stream-%04d", i + 1);
            baseRate[i] = chatRate * share;
            userPool[i] = Math.max(20, (int) (baseRate[i] * 400));
            viewers[i] = Math.max(10, baseRate[i] * 300 * (0.8 + 0.4 * rnd.nextDouble()));
            nextViewerReport[i] = start + rnd.nextInt(10_000);
        }
        this.firstScenario = start + firstScenarioAfterMillis;
        this.scenarioEvery = scenarioEveryMillis;
        this.nextScenario = scenarioEveryMillis > 0 ? firstScenario : Long.MAX_VALUE;
        this.tick = start;
    }

    /** Zipf-like popularity with exponent 1.1: stream 1 is about twice as busy as stream 2. */
    private static double weight(int rank) {
        return 1.0 / Math.pow(rank + 1, 1.1);
    }

    /**
     * Makes this simulation hand out {@link Event}s as the job's parser would produce them, without
     * writing and parsing JSON: the same stream of messages, for evaluations that run millions of
     * them through the job's window and moment code. Malformed records need bytes, so none are
     * made.
     */
    public ChatSimulation asEvents() {
        if (malformedRate > 0) {
            throw new IllegalStateException(
                    "malformed records need bytes: use a malformed rate of 0");
        }
        this.asEvents = true;
        return this;
    }

    public int scenarios() {
        return scenarioCount;
    }

    public int malformed() {
        return malformedCount;
    }

    /** The next record in event-time order; planted scenarios are reported to {@code labels}. */
    public Record next(Consumer<Label> labels) {
        while (slotPos >= slot.size()) {
            fillSlot(labels);
        }
        return slot.get(slotPos++);
    }

    private void fillSlot(Consumer<Label> labels) {
        slot.clear();
        slotPos = 0;
        long from = tick;
        tick += 100;
        if (from >= nextScenario) {
            plant(from, labels);
        }
        if (scenarioStream >= 0 && from >= scenarioEnd) {
            scenarioStream = -1;
        }
        for (int s = 0; s < streams; s++) {
            double rate = rateOf(s);
            int n = poisson(rate * 0.1);
            for (int k = 0; k < n; k++) {
                long ts = from + rnd.nextInt(100);
                slot.add(chat(s, ts));
            }
            if (nextViewerReport[s] < tick) {
                viewers[s] = Math.max(0, viewers[s] * (1 + 0.02 * rnd.nextGaussian()));
                slot.add(viewer(s, nextViewerReport[s]));
                nextViewerReport[s] += 9_000 + rnd.nextInt(2_001);
            }
        }
        slot.sort((a, b) -> Long.compare(a.timestamp(), b.timestamp()));
        for (int i = 0; i < slot.size(); i++) {
            if (malformedRate > 0 && rnd.nextDouble() < malformedRate) {
                slot.set(i, malformed(slot.get(i)));
            }
        }
    }

    private void plant(long at, Consumer<Label> labels) {
        scenarioKind = SCENARIOS[scenarioCount % SCENARIOS.length];
        // a mid-popularity stream: big enough to have a baseline, small enough that a burst stands
        // out
        int lo = Math.min(2, streams - 1);
        int hi = Math.max(lo + 1, Math.min(streams, 12));
        scenarioStream = lo + rnd.nextInt(hi - lo);
        long length =
                switch (scenarioKind) {
                    case "sentiment_collapse" -> 60_000;
                    case "raid" -> 20_000;
                    default -> 30_000;
                };
        scenarioEnd = at + length;
        if (scenarioKind.equals("raid")) {
            viewers[scenarioStream] = viewers[scenarioStream] * 3 + 500;
            nextViewerReport[scenarioStream] = at; // the raid shows in the next report
        } else if (scenarioKind.equals("viewer_drop")) {
            // the streamer raids out or the stream breaks: most of the audience leaves at once
            viewers[scenarioStream] = viewers[scenarioStream] * 0.35;
            nextViewerReport[scenarioStream] = at;
        }
        scenarioCount++;
        // one scenario at a time, with calm in between, so each label describes exactly one
        // disturbance
        nextScenario =
                Math.max(
                        at + scenarioEvery + rnd.nextInt((int) Math.max(1, scenarioEvery / 3)),
                        scenarioEnd + 60_000);
        labels.accept(new Label(streamIds[scenarioStream], scenarioKind, at, scenarioEnd));
    }

    private double rateOf(int s) {
        double base = baseRate[s];
        if (s != scenarioStream) {
            return base;
        }
        return switch (scenarioKind) {
            case "hype_burst" -> Math.max(base * 8, base + 15);
            case "raid" -> Math.max(base * 3, base + 8);
            case "emote_flood" -> Math.max(base * 3, base + 6);
            case "viewer_drop" -> base * 0.6;
            default -> base * 1.5;
        };
    }

    private Record chat(int s, long ts) {
        // heavy-tailed activity: a few regulars write most of the messages
        int user = (int) (userPool[s] * Math.pow(rnd.nextDouble(), 3));
        String text;
        List<String> emotes = null;
        boolean inScenario = s == scenarioStream;
        if (inScenario && scenarioKind.equals("emote_flood") && rnd.nextDouble() < 0.8) {
            String e = FLOOD_EMOTES[(scenarioCount + s) % FLOOD_EMOTES.length];
            text = String.join(" ", java.util.Collections.nCopies(1 + rnd.nextInt(6), e));
        } else {
            double p = rnd.nextDouble();
            double positive =
                    inScenario && scenarioKind.equals("hype_burst")
                            ? 0.85
                            : inScenario && scenarioKind.equals("sentiment_collapse") ? 0.05 : 0.3;
            double negative =
                    inScenario && scenarioKind.equals("sentiment_collapse")
                            ? 0.85
                            : inScenario && scenarioKind.equals("hype_burst") ? 0.02 : 0.15;
            String[] pool = p < positive ? POSITIVE : p < positive + negative ? NEGATIVE : NEUTRAL;
            text = pool[rnd.nextInt(pool.length)];
            double style = rnd.nextDouble();
            if (style < 0.1) {
                text = text.toUpperCase(java.util.Locale.ROOT);
            } else if (style < 0.15) {
                text = text + " " + text;
            }
        }
        if (rnd.nextBoolean()) {
            emotes = emotesIn(text);
        }
        if (asEvents) {
            String[] listed = emotes == null ? null : emotes.toArray(new String[0]);
            return new Record(
                    true,
                    ts,
                    null,
                    null,
                    Event.chat(streamIds[s], ts, "u" + s + "_" + user, text, listed));
        }
        StringBuilder sb = new StringBuilder(160);
        sb.append("{\"stream_id\":\"")
                .append(streamIds[s])
                .append("\",\"user_id\":\"u")
                .append(s)
                .append('_')
                .append(user)
                .append("\",\"username\":\"viewer")
                .append(user)
                .append("\",\"message\":\"")
                .append(text)
                .append('"');
        if (emotes != null) {
            sb.append(",\"emotes\":[");
            for (int i = 0; i < emotes.size(); i++) {
                sb.append(i == 0 ? "\"" : ",\"").append(emotes.get(i)).append('"');
            }
            sb.append(']');
        }
        sb.append(",\"timestamp\":").append(ts).append('}');
        return new Record(true, ts, sb.toString().getBytes(StandardCharsets.UTF_8), null, null);
    }

    private static final List<String> KNOWN_EMOTES =
            Arrays.asList(
                    "PogChamp",
                    "Pog",
                    "KEKW",
                    "LUL",
                    "GG",
                    "EZ",
                    "Clap",
                    "ResidentSleeper",
                    "NotLikeThis",
                    "BibleThump",
                    "FeelsBadMan",
                    "Kappa",
                    "Kreygasm",
                    "monkaS",
                    "Sadge");

    /** Emotes as Twitch's IRC tags would list them: each occurrence of a known emote token. */
    private static List<String> emotesIn(String text) {
        List<String> out = new ArrayList<>();
        for (String token : text.split(" ")) {
            if (KNOWN_EMOTES.contains(token)) {
                out.add(token);
            }
        }
        return out;
    }

    private Record viewer(int s, long ts) {
        if (asEvents) {
            return new Record(
                    false, ts, null, null, Event.viewer(streamIds[s], ts, Math.round(viewers[s])));
        }
        String json =
                "{\"stream_id\":\""
                        + streamIds[s]
                        + "\",\"viewer_count\":"
                        + Math.round(viewers[s])
                        + ",\"timestamp\":"
                        + ts
                        + "}";
        return new Record(false, ts, json.getBytes(StandardCharsets.UTF_8), null, null);
    }

    /** Kinds of bad records the trickle cycles through, one per rejection reason the job knows. */
    public static final String[] MALFORMED_KINDS = {
        "not_json", "not_object", "missing_field", "wrong_type", "invalid_value", "future_timestamp"
    };

    private Record malformed(Record good) {
        String kind = MALFORMED_KINDS[malformedCount++ % MALFORMED_KINDS.length];
        long ts = good.timestamp();
        String payload =
                switch (kind) {
                    case "not_json" -> "{\"stream_id\":\"stream-0001\",\"message\":\"cut off";
                    case "not_object" -> "[\"stream-0001\",\"hello\"]";
                    case "missing_field" ->
                            "{\"stream_id\":\"stream-0001\",\"message\":\"no user\",\"timestamp\":"
                                    + ts
                                    + "}";
                    case "wrong_type" ->
                            good.chat()
                                    ? "{\"stream_id\":\"stream-0001\",\"user_id\":7,\"message\":\"x\",\"timestamp\":"
                                            + ts
                                            + "}"
                                    : "{\"stream_id\":\"stream-0001\",\"viewer_count\":\"12\",\"timestamp\":"
                                            + ts
                                            + "}";
                    case "invalid_value" ->
                            good.chat()
                                    ? "{\"stream_id\":\"\",\"user_id\":\"u\",\"message\":\"x\",\"timestamp\":"
                                            + ts
                                            + "}"
                                    : "{\"stream_id\":\"stream-0001\",\"viewer_count\":-3,\"timestamp\":"
                                            + ts
                                            + "}";
                    default ->
                            "{\"stream_id\":\"stream-0001\",\"user_id\":\"u\",\"message\":\"from"
                                    + " the future\",\"timestamp\":"
                                    + (ts + 10L * 365 * 24 * 3600 * 1000)
                                    + "}";
                };
        return new Record(good.chat(), ts, payload.getBytes(StandardCharsets.UTF_8), kind, null);
    }

    private int poisson(double mean) {
        // Knuth's method: fine for the small means of one 100 ms slot of one stream
        if (mean <= 0) {
            return 0;
        }
        if (mean > 30) {
            return Math.max(0, (int) Math.round(mean + Math.sqrt(mean) * rnd.nextGaussian()));
        }
        double l = Math.exp(-mean);
        int k = 0;
        double p = 1;
        do {
            k++;
            p *= rnd.nextDouble();
        } while (p > l);
        return k - 1;
    }
}
