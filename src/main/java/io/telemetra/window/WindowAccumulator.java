package io.telemetra.window;

import io.telemetra.event.Event;
import io.telemetra.sentiment.SentimentScorer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * The running aggregate of one stream's events in one window: counts, sentiment sums, viewer sums,
 * emote occurrences and a HyperLogLog sketch of the chatters. Its state type is declared by {@link
 * WindowAccumulatorTypeInfo}, whose serializer writes a format version with every value so the
 * layout can evolve without Kryo.
 */
@TypeInfo(WindowAccumulatorTypeInfo.Factory.class)
public final class WindowAccumulator {
    /**
     * HLL_8 trades a little memory for the fastest update; the serialized form is compact either
     * way.
     */
    static final TgtHllType SKETCH_TYPE = TgtHllType.HLL_8;

    public static final int TOP_EMOTES = 5;

    /**
     * Sentiment is summed in fixed point (units of 1e-9): a double sum depends on the order events
     * arrive in, which differs between runs over the same input, and replays must give identical
     * rows.
     */
    static final double SENTIMENT_SCALE = 1e9;

    long chatCount;
    long sentimentSum;
    long positiveCount;
    long negativeCount;
    long viewerSum;
    long viewerEvents;

    /** Created on first use; windows that see only viewer events never allocate it. */
    HashMap<String, Integer> emoteCounts;

    /** Created on first chat message. */
    HllSketch chatters;

    public void add(Event e, int lgK) {
        if (e.isChat()) {
            chatCount++;
            sentimentSum += Math.round(e.sentiment * SENTIMENT_SCALE);
            if (e.sentiment >= SentimentScorer.POSITIVE_THRESHOLD) {
                positiveCount++;
            } else if (e.sentiment <= SentimentScorer.NEGATIVE_THRESHOLD) {
                negativeCount++;
            }
            if (chatters == null) {
                chatters = new HllSketch(lgK, SKETCH_TYPE);
            }
            chatters.update(e.userId);
            String[] emotes = e.emotes;
            if (emotes != null && emotes.length > 0) {
                if (emoteCounts == null) {
                    emoteCounts = new HashMap<>();
                }
                for (String emote : emotes) {
                    emoteCounts.merge(emote, 1, Integer::sum);
                }
            }
        } else {
            viewerSum += e.viewerCount;
            viewerEvents++;
        }
    }

    /** Folds {@code other} into this accumulator (HLL union, sums, emote count merge). */
    public void merge(WindowAccumulator other) {
        chatCount += other.chatCount;
        sentimentSum += other.sentimentSum;
        positiveCount += other.positiveCount;
        negativeCount += other.negativeCount;
        viewerSum += other.viewerSum;
        viewerEvents += other.viewerEvents;
        if (other.emoteCounts != null) {
            if (emoteCounts == null) {
                emoteCounts = new HashMap<>();
            }
            other.emoteCounts.forEach((k, v) -> emoteCounts.merge(k, v, Integer::sum));
        }
        if (other.chatters != null) {
            if (chatters == null) {
                chatters = other.chatters.copy();
            } else {
                Union union =
                        new Union(Math.max(chatters.getLgConfigK(), other.chatters.getLgConfigK()));
                union.update(chatters);
                union.update(other.chatters);
                chatters = union.getResult(SKETCH_TYPE);
            }
        }
    }

    /**
     * A new accumulator holding all of {@code parts} (a window's slices): sums added, emote counts
     * merged, and the chatter sketches combined in one HLL union rather than one union per pair.
     * The parts are left unchanged.
     */
    public static WindowAccumulator merged(List<WindowAccumulator> parts, int lgK) {
        WindowAccumulator acc = new WindowAccumulator();
        Union union = null;
        HllSketch single = null;
        for (WindowAccumulator p : parts) {
            acc.chatCount += p.chatCount;
            acc.sentimentSum += p.sentimentSum;
            acc.positiveCount += p.positiveCount;
            acc.negativeCount += p.negativeCount;
            acc.viewerSum += p.viewerSum;
            acc.viewerEvents += p.viewerEvents;
            if (p.emoteCounts != null) {
                if (acc.emoteCounts == null) {
                    acc.emoteCounts = new HashMap<>(p.emoteCounts);
                } else {
                    p.emoteCounts.forEach((k, v) -> acc.emoteCounts.merge(k, v, Integer::sum));
                }
            }
            if (p.chatters != null) {
                if (single == null && union == null) {
                    single = p.chatters;
                } else {
                    if (union == null) {
                        union = new Union(Math.max(lgK, single.getLgConfigK()));
                        union.update(single);
                    }
                    union.update(p.chatters);
                }
            }
        }
        if (union != null) {
            acc.chatters = union.getResult(SKETCH_TYPE);
        } else if (single != null) {
            acc.chatters = single.copy();
        }
        return acc;
    }

    public long chatCount() {
        return chatCount;
    }

    public long positiveCount() {
        return positiveCount;
    }

    public long negativeCount() {
        return negativeCount;
    }

    /**
     * Distinct chatters, rounded; exact while the sketch is in its small (list/set) modes. The
     * composite estimate is read from the sketch's registers alone; the default (HIP) estimate also
     * depends on the order the users arrived in, which differs between two reads of the same Kafka
     * partitions and after a recovery, and would make replays write different numbers.
     */
    public long uniqueChatters() {
        return chatters == null ? 0 : Math.round(chatters.getCompositeEstimate());
    }

    /** Mean message sentiment, or null without chat. */
    public Double avgSentiment() {
        return chatCount == 0 ? null : sentimentSum / SENTIMENT_SCALE / chatCount;
    }

    /** Mean viewer_count of the viewer events, or null without any. */
    public Double avgViewers() {
        return viewerEvents == 0 ? null : (double) viewerSum / viewerEvents;
    }

    /** Up to {@link #TOP_EMOTES} emotes by occurrences, ties broken by name ascending. */
    public String[] topEmotes() {
        if (emoteCounts == null || emoteCounts.isEmpty()) {
            return new String[0];
        }
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(emoteCounts.entrySet());
        entries.sort(
                (a, b) -> {
                    int byCount = Integer.compare(b.getValue(), a.getValue());
                    return byCount != 0 ? byCount : a.getKey().compareTo(b.getKey());
                });
        int n = Math.min(TOP_EMOTES, entries.size());
        String[] top = new String[n];
        for (int i = 0; i < n; i++) {
            top[i] = entries.get(i).getKey();
        }
        return top;
    }

    public Map<String, Integer> emoteCounts() {
        return emoteCounts == null ? Map.of() : emoteCounts;
    }
}
