package io.telemetra.anomaly;

import java.io.Serializable;

/**
 * The moment detector's knobs, one set per job (README "Moments" explains each).
 *
 * @param history windows in each baseline; a baseline scores nothing until it is full (warm-up)
 * @param baseline how a baseline's centre and spread are computed
 * @param cooldownWindows anomalous windows at most this many windows apart are one moment
 * @param chatThreshold chat_spike: z-score of the chat rate at or above which a window is anomalous
 * @param chatMinStddev chat_spike: floor for the baseline's spread, in messages per second
 * @param viewerSpikeMinIncrease viewer_spike: average viewers at least this much above the baseline
 *     (0.5 = +50 %)
 * @param viewerDropMinDecrease viewer_drop: average viewers at least this much below (0.3 = -30 %)
 * @param sentimentMinChange sentiment_swing: average sentiment at least this far from the baseline
 * @param minMessages sentiment_swing and emote_flood: windows with fewer messages are not judged
 * @param emoteMinShare emote_flood: the top emote's occurrences per message at least this
 * @param emoteMinLift emote_flood: and at least this many times the baseline's share
 */
public record MomentSettings(
        int history,
        BaselineKind baseline,
        int cooldownWindows,
        double chatThreshold,
        double chatMinStddev,
        double viewerSpikeMinIncrease,
        double viewerDropMinDecrease,
        double sentimentMinChange,
        int minMessages,
        double emoteMinShare,
        double emoteMinLift)
        implements Serializable {

    public enum BaselineKind {
        /** mean and standard deviation */
        MEAN,
        /** median and 1.4826 × median absolute deviation: a past burst does not inflate it */
        MEDIAN
    }
}
