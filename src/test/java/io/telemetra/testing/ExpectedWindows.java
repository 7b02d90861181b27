package io.telemetra.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A straightforward reference for the window metrics: every event is put into each 60 s window,
 * aligned to 10 s, that contains it, and the metrics are computed from the raw events with exact
 * distinct counts. Written without any of the job's classes, so the two implementations check each
 * other.
 */
public final class ExpectedWindows {
    public static final long SIZE = 60_000;
    public static final long SLIDE = 10_000;

    public record Key(String streamId, long windowStart) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = streamId.compareTo(o.streamId);
            return c != 0 ? c : Long.compare(windowStart, o.windowStart);
        }
    }

    public record Row(
            long chatCount,
            long uniqueChatters,
            Double avgSentiment,
            long positive,
            long negative,
            List<String> topEmotes,
            double chatRate,
            Double avgViewers) {}

    private ExpectedWindows() {}

    public static TreeMap<Key, Row> compute(List<TestEvent> events) {
        Map<Key, List<TestEvent>> byWindow = new HashMap<>();
        for (TestEvent e : events) {
            long lastStart = Math.floorDiv(e.timestamp(), SLIDE) * SLIDE;
            for (long start = lastStart; start > e.timestamp() - SIZE; start -= SLIDE) {
                byWindow.computeIfAbsent(new Key(e.streamId(), start), k -> new ArrayList<>())
                        .add(e);
            }
        }
        TreeMap<Key, Row> out = new TreeMap<>();
        byWindow.forEach(
                (k, list) -> {
                    long chats = 0, pos = 0, neg = 0, viewerEvents = 0, viewerSum = 0;
                    double scoreSum = 0;
                    Set<String> users = new HashSet<>();
                    Map<String, Integer> emotes = new HashMap<>();
                    for (TestEvent e : list) {
                        if (e.chat()) {
                            chats++;
                            scoreSum += e.expectedScore();
                            // README: positive at >= 0.05, negative at <= -0.05
                            pos += e.expectedScore() >= 0.05 ? 1 : 0;
                            neg += e.expectedScore() <= -0.05 ? 1 : 0;
                            users.add(e.userId());
                            e.expectedEmotes().forEach(m -> emotes.merge(m, 1, Integer::sum));
                        } else {
                            viewerEvents++;
                            viewerSum += e.viewerCount();
                        }
                    }
                    List<String> top = new ArrayList<>(emotes.keySet());
                    top.sort(
                            (a, b) ->
                                    emotes.get(a).equals(emotes.get(b))
                                            ? a.compareTo(b)
                                            : emotes.get(b) - emotes.get(a));
                    out.put(
                            k,
                            new Row(
                                    chats,
                                    users.size(),
                                    chats == 0 ? null : scoreSum / chats,
                                    pos,
                                    neg,
                                    top.subList(0, Math.min(5, top.size())),
                                    chats / 60.0,
                                    viewerEvents == 0 ? null : (double) viewerSum / viewerEvents));
                });
        return out;
    }
}
