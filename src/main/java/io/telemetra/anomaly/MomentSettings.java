package io.telemetra.anomaly;

import java.io.Serializable;
import java.time.Duration;

/**
 * The moment detector's knobs, one set per job (docs/sentiment-and-moments.md explains each).
 *
 * @param history windows in each baseline; a baseline scores nothing until it is full (warm-up)
 * @param baseline how a baseline's centre and spread are computed
 * @param cooldownWindows anomalous windows at most this many windows apart are one moment
 * @param chatThreshold z-score at or above which a window is anomalous: of the chat rate for
 *     chat_spike, and of the change against its counting noise for the other types
 * @param chatMinStddev chat_spike: floor for the baseline's spread, in messages per second
 * @param chatMinIncrease chat_spike: chat rate also at least this much above the baseline (0.5 =
 *     +50 %), so that a rise that is real but small is not a moment
 * @param viewerSpikeMinIncrease viewer_spike: average viewers at least this much above the baseline
 *     (0.5 = +50 %)
 * @param viewerDropMinDecrease viewer_drop: average viewers at least this much below (0.3 = -30 %)
 * @param sentimentMinChange sentiment_swing: average sentiment at least this far from the baseline
 * @param minMessages sentiment_swing and emote_flood: windows with fewer messages are not judged
 * @param emoteMinShare emote_flood: the top emote's occurrences per message at least this
 * @param emoteMinLift emote_flood: and at least this many times the baseline's share
 * @param stateExpiry a stream's detector state is dropped once the watermark is this far past the
 *     end of its newest window (event time); a stream that comes back later warms up again. No
 *     shorter than history × slide (after which silence restarts the warm-up anyway) and than the
 *     cool-down, it changes no result and only frees memory
 */
public record MomentSettings(
        int history,
        BaselineKind baseline,
        int cooldownWindows,
        double chatThreshold,
        double chatMinStddev,
        double chatMinIncrease,
        double viewerSpikeMinIncrease,
        double viewerDropMinDecrease,
        double sentimentMinChange,
        int minMessages,
        double emoteMinShare,
        double emoteMinLift,
        Duration stateExpiry)
        implements Serializable {

    /**
     * One hour of event time after a stream's newest window. Streams pause (an ad break for
     * minutes, a "be right back" screen for 10-30 minutes) and must not lose their state over it:
     * an hour outlasts such breaks with room to spare, and never cuts short a baseline of up to 360
     * windows at the 10 s slide ({@code --anomaly.history}) that spans them. A stream silent for an
     * hour has most likely ended, and one that returns has a changed audience, so a new warm-up is
     * right. At the default history of 10 windows a silence of 100 s restarts the warm-up anyway,
     * so at the defaults the expiry changes no result and only frees memory. Little is kept
     * meanwhile: at 100,000 streams a day about 4,200 end per hour, each holding under a kilobyte
     * for that hour; a day's expiry would hold all 100,000.
     */
    public static final Duration DEFAULT_STATE_EXPIRY = Duration.ofHours(1);

    public MomentSettings {
        if (stateExpiry == null || stateExpiry.isNegative() || stateExpiry.isZero()) {
            throw new IllegalArgumentException(
                    "the detector state's expiry must be positive, got " + stateExpiry);
        }
    }

    public enum BaselineKind {
        /** mean and standard deviation */
        MEAN,
        /** median and 1.4826 × median absolute deviation: a past burst does not inflate it */
        MEDIAN
    }
}
