package io.telemetra.anomaly;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.telemetra.window.WindowSummary;
import java.io.IOException;
import java.io.Serializable;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The moment rules, without Flink: given a stream's {@link DetectorState} and its next window
 * summary (windows of a stream arrive in order), writes the chat-rate z-score on the summary,
 * updates the baselines and returns the moments the window opens or extends. {@link MomentDetector}
 * runs it in the job; the evaluation command runs it on generated scenarios.
 *
 * <p>Per type, the window's value is compared with the centre of the stream's previous windows:
 *
 * <ul>
 *   <li>{@code chat_spike}: z = (chat rate - centre) / max(spread, min stddev, counting noise) ≥
 *       threshold, the counting noise being √(centre / window seconds) ({@link #countingNoise});
 *   <li>{@code viewer_spike} / {@code viewer_drop}: average viewers at least x % above / below;
 *   <li>{@code sentiment_swing}: average sentiment at least d away, in windows with enough
 *       messages;
 *   <li>{@code emote_flood}: the top emote's occurrences per message at least s and at least k
 *       times the usual share, in windows with enough messages.
 * </ul>
 *
 * Anomalous windows are kept out of the baselines (up to a whole history of them, then the new
 * level is accepted). Windows a stream did not fire count as chat rate 0; after a silence as long
 * as the history every baseline starts over. A window re-fired by allowed lateness changes nothing
 * and carries no z-score, so the sink keeps the value from its first firing.
 */
public final class MomentRules implements Serializable {
    private static final long serialVersionUID = 1L;

    private final MomentSettings cfg;
    private final long slideMillis;
    private transient JsonFactory json;

    public MomentRules(MomentSettings cfg, long slideMillis) {
        this.cfg = cfg;
        this.slideMillis = slideMillis;
    }

    public List<Moment> apply(DetectorState st, WindowSummary s) {
        st.prepare(cfg.history());
        if (st.lastWindowStart != Long.MIN_VALUE && s.windowStart <= st.lastWindowStart) {
            // a late re-firing of a window already scored: its baselines have moved on since
            s.zScore = null;
            s.anomaly = false;
            return List.of();
        }
        if (st.lastWindowStart != Long.MIN_VALUE) {
            long missing = (s.windowStart - st.lastWindowStart) / slideMillis - 1;
            if (missing >= cfg.history()) {
                st.restartBaselines(cfg.history());
            } else {
                for (long i = 0; i < missing; i++) {
                    st.chat.push(0.0);
                }
            }
        }
        st.lastWindowStart = s.windowStart;
        List<Moment> out = new ArrayList<>(1);
        chatSpike(st, s, out);
        viewers(st, s, out);
        sentiment(st, s, out);
        emoteFlood(st, s, out);
        return out;
    }

    private void chatSpike(DetectorState st, WindowSummary s, List<Moment> out) {
        s.zScore = null;
        s.anomaly = false;
        boolean anomalous = false;
        if (st.chat.isFull()) {
            double center = st.chat.center(cfg.baseline());
            double spread = st.chat.spread(cfg.baseline());
            double noise = countingNoise(center, s);
            double z =
                    (s.chatRate - center) / Math.max(spread, Math.max(cfg.chatMinStddev(), noise));
            s.zScore = z;
            s.anomaly = z >= cfg.chatThreshold();
            anomalous = s.anomaly;
            if (s.anomaly) {
                OpenMoment m = extend(st.chatSpike, s, z);
                out.add(
                        moment(
                                s,
                                m,
                                Moment.CHAT_SPIKE,
                                String.format(
                                        Locale.ROOT,
                                        "Chat spike: %.2f messages/s against a usual %.2f (z ="
                                                + " %.1f)",
                                        s.chatRate,
                                        center,
                                        z),
                                g -> {
                                    g.writeNumberField("chat_count", s.chatCount);
                                    g.writeNumberField("chat_rate", s.chatRate);
                                    g.writeNumberField("z_score", z);
                                    g.writeNumberField("threshold", cfg.chatThreshold());
                                    g.writeNumberField("min_stddev", cfg.chatMinStddev());
                                    g.writeNumberField("counting_noise", noise);
                                    baseline(g, center, spread);
                                }));
            }
        }
        if (keepsBaseline(st.chatSpike, anomalous)) {
            st.chat.push(s.chatRate);
        }
    }

    private void viewers(DetectorState st, WindowSummary s, List<Moment> out) {
        if (s.avgViewers == null) {
            return;
        }
        double viewers = s.avgViewers;
        boolean spike = false;
        boolean drop = false;
        if (st.viewers.isFull()) {
            double center = st.viewers.center(cfg.baseline());
            double spread = st.viewers.spread(cfg.baseline());
            if (center > 0) {
                double change = (viewers - center) / center;
                spike = change >= cfg.viewerSpikeMinIncrease();
                drop = -change >= cfg.viewerDropMinDecrease();
                if (spike || drop) {
                    double minChange =
                            spike ? cfg.viewerSpikeMinIncrease() : -cfg.viewerDropMinDecrease();
                    OpenMoment m =
                            extend(spike ? st.viewerSpike : st.viewerDrop, s, Math.abs(change));
                    out.add(
                            moment(
                                    s,
                                    m,
                                    spike ? Moment.VIEWER_SPIKE : Moment.VIEWER_DROP,
                                    String.format(
                                            Locale.ROOT,
                                            "%s: %.0f viewers against a usual %.0f (%+.0f%%)",
                                            spike ? "Viewer spike (a raid?)" : "Viewer drop",
                                            viewers,
                                            center,
                                            change * 100),
                                    g -> {
                                        g.writeNumberField("avg_viewers", viewers);
                                        g.writeNumberField("change", change);
                                        g.writeNumberField("min_change", minChange);
                                        baseline(g, center, spread);
                                    }));
                }
            }
        }
        if (keepsBaseline(st.viewerSpike, spike) & keepsBaseline(st.viewerDrop, drop)) {
            st.viewers.push(viewers);
        }
    }

    private void sentiment(DetectorState st, WindowSummary s, List<Moment> out) {
        if (s.avgSentiment == null || s.chatCount < cfg.minMessages()) {
            return;
        }
        double value = s.avgSentiment;
        boolean swing = false;
        if (st.sentiment.isFull()) {
            double center = st.sentiment.center(cfg.baseline());
            double spread = st.sentiment.spread(cfg.baseline());
            double change = value - center;
            swing = Math.abs(change) >= cfg.sentimentMinChange();
            if (swing) {
                OpenMoment m = extend(st.sentimentSwing, s, Math.abs(change));
                out.add(
                        moment(
                                s,
                                m,
                                Moment.SENTIMENT_SWING,
                                String.format(
                                        Locale.ROOT,
                                        "Sentiment swing: chat mood %s to %.2f from a usual %.2f"
                                                + " over %d messages",
                                        change < 0 ? "fell" : "rose",
                                        value,
                                        center,
                                        s.chatCount),
                                g -> {
                                    g.writeNumberField("avg_sentiment", value);
                                    g.writeNumberField("change", change);
                                    g.writeNumberField("min_change", cfg.sentimentMinChange());
                                    g.writeNumberField("chat_count", s.chatCount);
                                    g.writeNumberField("positive_count", s.positiveCount);
                                    g.writeNumberField("negative_count", s.negativeCount);
                                    baseline(g, center, spread);
                                }));
            }
        }
        if (keepsBaseline(st.sentimentSwing, swing)) {
            st.sentiment.push(value);
        }
    }

    private void emoteFlood(DetectorState st, WindowSummary s, List<Moment> out) {
        if (s.chatCount < cfg.minMessages()) {
            return;
        }
        double share = (double) s.topEmoteCount / s.chatCount;
        boolean flood = false;
        if (st.emoteShare.isFull() && s.topEmotes.length > 0) {
            double usual = st.emoteShare.center(cfg.baseline());
            // a stream that never uses emotes still needs a flood to be a real share of its chat
            double lift = share / Math.max(usual, 0.05);
            flood = share >= cfg.emoteMinShare() && lift >= cfg.emoteMinLift();
            if (flood) {
                String emote = s.topEmotes[0];
                OpenMoment m = extend(st.emoteFlood, s, lift);
                out.add(
                        moment(
                                s,
                                m,
                                Moment.EMOTE_FLOOD,
                                String.format(
                                        Locale.ROOT,
                                        "Emote flood: %s %d times in %d messages (%.1f per"
                                                + " message, usually %.2f)",
                                        emote,
                                        s.topEmoteCount,
                                        s.chatCount,
                                        share,
                                        usual),
                                g -> {
                                    g.writeStringField("emote", emote);
                                    g.writeNumberField("emote_count", s.topEmoteCount);
                                    g.writeNumberField("chat_count", s.chatCount);
                                    g.writeNumberField("share", share);
                                    g.writeNumberField("lift", lift);
                                    g.writeNumberField("min_share", cfg.emoteMinShare());
                                    g.writeNumberField("min_lift", cfg.emoteMinLift());
                                    baseline(g, usual, st.emoteShare.spread(cfg.baseline()));
                                }));
            }
        }
        if (keepsBaseline(st.emoteFlood, flood)) {
            st.emoteShare.push(share);
        }
    }

    /**
     * Anomalous windows stay out of the baseline, so a burst does not become its own baseline (and
     * its end does not look like a swing the other way); after a whole history of them the new
     * level is accepted (a raid's viewers stay).
     */
    private boolean keepsBaseline(OpenMoment m, boolean anomalous) {
        if (!anomalous) {
            m.heldOut = 0;
            return true;
        }
        return ++m.heldOut > cfg.history();
    }

    /**
     * The same burst when the previous anomalous window of this type is at most the cool-down away,
     * otherwise a new moment starting with this window's newest slide.
     */
    private OpenMoment extend(OpenMoment m, WindowSummary s, double strength) {
        boolean sameBurst =
                m.start >= 0
                        && s.windowStart - m.lastWindowStart
                                <= (cfg.cooldownWindows() + 1L) * slideMillis;
        if (!sameBurst) {
            m.start = s.windowEnd - slideMillis;
            m.peak = strength;
            m.peakWindowStart = s.windowStart;
            m.windows = 0;
        } else if (strength > m.peak) {
            m.peak = strength;
            m.peakWindowStart = s.windowStart;
        }
        m.windows++;
        m.lastWindowStart = s.windowStart;
        m.lastWindowEnd = s.windowEnd;
        return m;
    }

    private interface Details {
        void write(JsonGenerator g) throws IOException;
    }

    private Moment moment(
            WindowSummary s, OpenMoment open, String type, String description, Details details) {
        Moment m = new Moment();
        m.streamId = s.streamId;
        m.timestamp = open.start;
        m.momentType = type;
        m.intensity = open.peak;
        m.description = description;
        m.isNew = open.windows == 1;
        if (json == null) {
            json = new JsonFactory();
        }
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = json.createGenerator(w)) {
            g.writeStartObject();
            details.write(g);
            g.writeNumberField("baseline_windows", cfg.history());
            g.writeStringField("baseline_kind", cfg.baseline().name().toLowerCase(Locale.ROOT));
            g.writeArrayFieldStart("top_emotes");
            for (String e : s.topEmotes) {
                g.writeString(e);
            }
            g.writeEndArray();
            g.writeStringField("window_start", Instant.ofEpochMilli(s.windowStart).toString());
            g.writeStringField("window_end", Instant.ofEpochMilli(s.windowEnd).toString());
            g.writeStringField(
                    "peak_window_start", Instant.ofEpochMilli(open.peakWindowStart).toString());
            g.writeStringField("end", Instant.ofEpochMilli(open.lastWindowEnd).toString());
            g.writeNumberField("anomalous_windows", open.windows);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        m.metadata = w.toString();
        return m;
    }

    /**
     * The spread a window's chat rate has from counting alone: messages arriving at random at the
     * usual rate r are a Poisson count with variance r × W over a window of W seconds, so the rate
     * varies by √(r / W). The baseline's own spread underestimates it on busy streams: its windows
     * overlap (five sixths of each is shared with the next at the default 60 s / 10 s), so they
     * vary less than independent windows would. Without this floor a stream at 62 messages/s
     * flagged a 2.7 % rise as a spike; with it, a spike must stand out from the noise of its level.
     */
    static double countingNoise(double usualRate, WindowSummary s) {
        double seconds = (s.windowEnd - s.windowStart) / 1000.0;
        return usualRate > 0 && seconds > 0 ? Math.sqrt(usualRate / seconds) : 0;
    }

    private static void baseline(JsonGenerator g, double center, double spread) throws IOException {
        g.writeNumberField("baseline_center", center);
        g.writeNumberField("baseline_spread", spread);
    }
}
