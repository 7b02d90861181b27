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
 * <p>Per type, the window's value is compared with the centre of the stream's previous windows, and
 * must clear both a practical minimum and the noise that counting alone gives the metric at its
 * level (z = change / noise at or above the threshold), so that neither small real changes nor
 * chance fluctuations on a busy or a quiet stream become moments:
 *
 * <ul>
 *   <li>{@code chat_spike}: z = (chat rate - centre) / max(spread, min stddev, counting noise) and
 *       the rate at least min increase above the centre; the counting noise is Poisson, about √(
 *       centre / window seconds) ({@link #rateNoiseFactor});
 *   <li>{@code viewer_spike} / {@code viewer_drop}: average viewers at least x % above / below, and
 *       by at least threshold × √(usual viewers), the Poisson noise of an audience;
 *   <li>{@code sentiment_swing}: average sentiment at least d away from the centre of the windows
 *       before those overlapping it, and threshold × the larger of its binomial noise ({@link
 *       #sentimentNoise}, the centre's included) and the baseline's spread, in windows with enough
 *       messages; the windows of a chat spike stay out of its baseline;
 *   <li>{@code emote_flood}: the top emote's occurrences per message at least s, at least k times
 *       the usual share, and above it by threshold × √(usual share / messages), in windows with
 *       enough messages.
 * </ul>
 *
 * Anomalous windows are kept out of the baselines (up to a whole history of them, then the new
 * level is accepted). Windows a stream did not fire count as chat rate 0; after a silence as long
 * as the history every baseline starts over. A window re-fired by allowed lateness changes nothing
 * and carries no z-score, so the sink keeps the value from its first firing.
 */
public final class MomentRules implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Root mean square of the built-in lexicon's score over positive and negative messages: 0.504
     * over the 270 polar lines of the development set (src/test/resources/sentiment/eval).
     */
    static final double POLAR_RMS = 0.5;

    /**
     * Emotes come in runs ("Pog Pog Pog", a line pasted twice), so the count of an emote over a
     * window's messages varies more than a Poisson count of its mean: its variance is taken as this
     * many times the mean (an overdispersed Poisson).
     */
    static final double EMOTE_RUN = 5;

    private final MomentSettings cfg;
    private final long slideMillis;
    private transient JsonFactory json;
    private transient long noiseForSize;
    private transient double noiseFactor;
    private transient double sentimentFactor;

    public MomentRules(MomentSettings cfg, long slideMillis) {
        this.cfg = cfg;
        this.slideMillis = slideMillis;
    }

    public List<Moment> apply(DetectorState st, WindowSummary s) {
        int overlap = overlap(s);
        st.prepare(cfg.history(), sentimentHistory(overlap));
        if (st.lastWindowStart != Long.MIN_VALUE && s.windowStart <= st.lastWindowStart) {
            // a late re-firing of a window already scored: its baselines have moved on since
            s.zScore = null;
            s.anomaly = false;
            return List.of();
        }
        if (st.lastWindowStart != Long.MIN_VALUE) {
            long missing = (s.windowStart - st.lastWindowStart) / slideMillis - 1;
            if (missing >= cfg.history()) {
                st.restartBaselines(cfg.history(), sentimentHistory(overlap));
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
        sentiment(st, s, overlap, out);
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
            double noise = Math.sqrt(center * rateNoiseFactor(s));
            double z =
                    (s.chatRate - center) / Math.max(spread, Math.max(cfg.chatMinStddev(), noise));
            s.zScore = z;
            // a z-score alone flags small rises on busy streams: at 62 messages/s a 5 % rise is
            // 3 σ of counting noise, and 360 windows an hour cross 3 σ by chance now and then
            s.anomaly =
                    z >= cfg.chatThreshold() && s.chatRate >= center * (1 + cfg.chatMinIncrease());
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
                                    g.writeNumberField("min_increase", cfg.chatMinIncrease());
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
                // people arriving independently and staying for any time make the audience a
                // Poisson count (an M/G/infinity queue): a change must clear √(usual viewers)
                boolean clear =
                        Math.abs(viewers - center) >= cfg.chatThreshold() * Math.sqrt(center);
                spike = clear && change >= cfg.viewerSpikeMinIncrease();
                drop = clear && -change >= cfg.viewerDropMinDecrease();
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
                                        g.writeNumberField("counting_noise", Math.sqrt(center));
                                        baseline(g, center, spread);
                                    }));
                }
            }
        }
        if (keepsBaseline(st.viewerSpike, spike) & keepsBaseline(st.viewerDrop, drop)) {
            st.viewers.push(viewers);
        }
    }

    /**
     * Sentiment is compared with the windows before those that share messages with the judged one
     * (the newest {@code overlap} of its baseline): a mood that turns over a minute turns the
     * overlapping windows part of the way first, and a centre that took them in would follow the
     * turn and never see it whole.
     */
    private void sentiment(DetectorState st, WindowSummary s, int overlap, List<Moment> out) {
        if (s.avgSentiment == null) {
            return;
        }
        double value = s.avgSentiment;
        boolean swing = false;
        // The mood of a chat spike (a hype train, a wave of complaints) is not the stream's usual
        // mood: the window is judged, but kept out of the baseline, or the return to the usual
        // mood after it would look like a swing.
        boolean burst = s.anomaly;
        // Windows with few messages are not judged, but unless they are far off they still form
        // the baseline: on a quiet stream they are most windows, and a baseline of its bursts
        // alone would be the bursts' level.
        boolean judged = s.chatCount >= cfg.minMessages();
        if (!judged) {
            if (!burst
                    && (!st.sentiment.isFull()
                            || Math.abs(value - st.sentiment.center(cfg.baseline(), overlap))
                                    < cfg.sentimentMinChange())) {
                st.sentiment.push(value);
            }
            return;
        }
        if (st.sentiment.isFull()) {
            double center = st.sentiment.center(cfg.baseline(), overlap);
            double spread = st.sentiment.spread(cfg.baseline(), overlap);
            double change = value - center;
            // counting noise of the difference (the centre's own included), and never below how
            // much this stream's windows have varied: quiet chats vary more than counting says
            double counting = sentimentNoise(s) * Math.sqrt(sentimentFactor(s));
            double noise = Math.max(counting, spread);
            swing =
                    Math.abs(change) >= cfg.sentimentMinChange()
                            && Math.abs(change) >= cfg.chatThreshold() * noise;
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
                                    g.writeNumberField("counting_noise", counting);
                                    g.writeNumberField("chat_count", s.chatCount);
                                    g.writeNumberField("positive_count", s.positiveCount);
                                    g.writeNumberField("negative_count", s.negativeCount);
                                    baseline(g, center, spread);
                                }));
            }
        }
        if (keepsBaseline(st.sentimentSwing, swing) && !burst) {
            st.sentiment.push(value);
        }
    }

    private void emoteFlood(DetectorState st, WindowSummary s, List<Moment> out) {
        if (s.chatCount == 0) {
            return;
        }
        double share = (double) s.topEmoteCount / s.chatCount;
        boolean flood = false;
        if (s.chatCount < cfg.minMessages()) {
            // as for sentiment: not judged, but part of the baseline unless a flood's share
            if (!st.emoteShare.isFull() || share < cfg.emoteMinShare()) {
                st.emoteShare.push(share);
            }
            return;
        }
        if (st.emoteShare.isFull() && s.topEmotes.length > 0) {
            double usual = st.emoteShare.center(cfg.baseline());
            // a stream that never uses emotes still needs a flood to be a real share of its chat
            double lift = share / Math.max(usual, 0.05);
            double noise = Math.sqrt(EMOTE_RUN * Math.max(usual, 0.05) / s.chatCount);
            flood =
                    share >= cfg.emoteMinShare()
                            && lift >= cfg.emoteMinLift()
                            && share - usual >= cfg.chatThreshold() * noise;
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
                                    g.writeNumberField("counting_noise", noise);
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
     * its end does not look like a swing the other way); after a whole history of them in one burst
     * the new level is accepted (a raid's viewers stay). The count starts again with each new
     * burst: on a quiet stream sentiment and emotes are judged only in windows with enough
     * messages, often bursts alone, and separate bursts must not add up to a new level.
     */
    private boolean keepsBaseline(OpenMoment m, boolean anomalous) {
        if (!anomalous) {
            m.heldOut = 0;
            return true;
        }
        if (m.windows == 1) {
            m.heldOut = 0; // the first window of a new burst (extend() has just counted it)
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
     * How much a window's chat rate differs from its baseline's centre by counting alone, as a
     * multiple of the usual rate r: the variance of (rate - centre) is r times this. Messages
     * arriving at random are Poisson counts per slide; the window adds its slides, the centre
     * averages the baseline's windows, and the two share slides. Summing each slide's weight
     * squared gives the variance exactly, overlap included. At the defaults (60 s windows, 10 s
     * slide, 10 windows) it is 0.98 × r / 60: the centre's own noise and the slides it shares with
     * the window nearly cancel, so the noise is that of one window, √(r / 60) (about 1 message/s at
     * 62 messages/s). The baseline's spread underestimates it on busy streams: its windows overlap,
     * so they vary less than independent windows would.
     */
    double rateNoiseFactor(WindowSummary s) {
        noiseFactors(s);
        return noiseFactor;
    }

    /**
     * The variance of (window's average sentiment - baseline centre) as a multiple of one window's:
     * the centre averages the {@link #sentimentHistory} windows before the overlapping ones, so its
     * own noise adds to the window's (1.35 at the defaults).
     */
    double sentimentFactor(WindowSummary s) {
        noiseFactors(s);
        return sentimentFactor;
    }

    private void noiseFactors(WindowSummary s) {
        long size = s.windowEnd - s.windowStart;
        if (size != noiseForSize) {
            int perWindow = (int) (size / slideMillis);
            int overlap = overlap(s);
            noiseFactor = rateNoiseFactor(cfg.history(), size, slideMillis);
            sentimentFactor =
                    differenceVariance(
                            sentimentHistory(overlap) - overlap, Math.max(1, perWindow), overlap);
            noiseForSize = size;
        }
    }

    static double rateNoiseFactor(int history, long sizeMillis, long slideMillis) {
        int perWindow = (int) (sizeMillis / slideMillis);
        return differenceVariance(history, perWindow, 0) / (sizeMillis / 1000.0);
    }

    /**
     * The variance of (a window - the mean of {@code history} earlier windows), in units of one
     * window's variance, for counts that are independent per slide: slides 0 .. history + gap +
     * perWindow - 1; baseline window i covers slides i .. i + perWindow - 1, the judged window
     * starts {@code gap} windows after the newest baseline window. Summing each slide's weight
     * squared gives it exactly, overlap included.
     */
    static double differenceVariance(int history, int perWindow, int gap) {
        int judgedStart = history + gap;
        double sumSquares = 0;
        for (int j = 0; j < judgedStart + perWindow; j++) {
            int inBaseline =
                    Math.max(0, Math.min(history - 1, j) - Math.max(0, j - perWindow + 1) + 1);
            double weight = (j >= judgedStart ? 1.0 : 0.0) - (double) inBaseline / history;
            sumSquares += weight * weight;
        }
        return sumSquares / perWindow;
    }

    /** Windows that share slides with a window: window size / slide - 1 (5 at the defaults). */
    int overlap(WindowSummary s) {
        return (int) Math.max(0, (s.windowEnd - s.windowStart) / slideMillis - 1);
    }

    /**
     * The sentiment baseline holds {@code history + 2 × overlap} windows (20 at the defaults): the
     * centre is taken over all but the newest {@code overlap}, so over history + overlap windows
     * (15), because the average sentiment of a quiet stream's window is noisy and a centre of
     * windows that do not overlap the judged one needs more of them to be as steady.
     */
    int sentimentHistory(int overlap) {
        return cfg.history() + 2 * overlap;
    }

    /**
     * The counting noise of a window's average sentiment. Neutral messages score about 0 and a
     * positive or negative one about ±{@link #POLAR_RMS}, so of n messages with a polar share p the
     * mean varies by at most POLAR_RMS × √(p / n) (binomial: which messages are polar is the chance
     * part). On a quiet stream a swing must be clear of it.
     */
    static double sentimentNoise(WindowSummary s) {
        if (s.chatCount == 0) {
            return 0;
        }
        double polar = (double) (s.positiveCount + s.negativeCount) / s.chatCount;
        return POLAR_RMS * Math.sqrt(polar / s.chatCount);
    }

    private static void baseline(JsonGenerator g, double center, double spread) throws IOException {
        g.writeNumberField("baseline_center", center);
        g.writeNumberField("baseline_spread", spread);
    }
}
