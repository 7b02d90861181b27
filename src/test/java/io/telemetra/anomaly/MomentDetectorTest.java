package io.telemetra.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.window.WindowSummary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MomentDetectorTest {
    static final long SIZE = 60_000;
    static final long SLIDE = 10_000;
    static final int HISTORY = 4;
    static final double THRESHOLD = 3.0;
    static final double MIN_STDDEV = 0.5;

    KeyedOneInputStreamOperatorTestHarness<String, WindowSummary, WindowSummary> harness;

    @BeforeEach
    void open() throws Exception {
        harness = newHarness();
        harness.open();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, WindowSummary, WindowSummary>
            newHarness() throws Exception {
        return newHarness(MomentSettings.DEFAULT_STATE_EXPIRY);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, WindowSummary, WindowSummary>
            newHarness(Duration stateExpiry) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(
                        new MomentDetector(
                                settings(MomentSettings.BaselineKind.MEAN, stateExpiry),
                                SIZE,
                                SLIDE)),
                s -> s.streamId,
                Types.STRING);
    }

    /** Chat-spike settings as in 0.1.0 (mean and σ, no cool-down); other types at defaults. */
    static MomentSettings settings(MomentSettings.BaselineKind baseline) {
        return settings(baseline, MomentSettings.DEFAULT_STATE_EXPIRY);
    }

    static MomentSettings settings(MomentSettings.BaselineKind baseline, Duration stateExpiry) {
        return new MomentSettings(
                HISTORY,
                baseline,
                0,
                THRESHOLD,
                MIN_STDDEV,
                0.0,
                0.5,
                0.3,
                0.3,
                20,
                0.5,
                3.0,
                stateExpiry);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    /** Feeds one window per slide, starting at window index {@code first}. */
    private List<WindowSummary> feed(String stream, int first, double... rates) throws Exception {
        List<WindowSummary> out = new ArrayList<>();
        for (int i = 0; i < rates.length; i++) {
            WindowSummary s = new WindowSummary();
            s.streamId = stream;
            s.windowStart = (first + i) * SLIDE;
            s.windowEnd = s.windowStart + SIZE;
            s.chatRate = rates[i];
            s.chatCount = Math.round(rates[i] * 60);
            s.topEmotes = new String[] {"Pog"};
            harness.processElement(s, s.windowEnd - 1);
        }
        for (Object o : harness.extractOutputValues()) {
            out.add((WindowSummary) o);
        }
        return out;
    }

    private List<Moment> moments() {
        List<Moment> out = new ArrayList<>();
        var emitted = harness.getSideOutput(MomentDetector.MOMENTS);
        if (emitted == null) {
            return out; // nothing was ever emitted on the side output
        }
        for (StreamRecord<Moment> r : emitted) {
            out.add(r.getValue());
        }
        return out;
    }

    @Test
    void warmUpWindowsHaveNoZScoreAndNoAnomaly() throws Exception {
        List<WindowSummary> out = feed("s", 0, 1, 1, 1, 1, 50);
        for (int i = 0; i < HISTORY; i++) {
            assertNull(out.get(i).zScore, "window " + i + " is in warm-up");
            assertFalse(out.get(i).anomaly);
        }
        assertNotNull(out.get(HISTORY).zScore, "first window with a full baseline is scored");
    }

    @Test
    void spikeAfterFlatBaselineIsAMomentWithMinStddevAsDenominator() throws Exception {
        List<WindowSummary> out = feed("s", 0, 2, 2, 2, 2, 4);
        // flat baseline: stddev 0, so z = (4 - 2) / 0.5
        assertEquals(4.0, out.get(4).zScore, 1e-12);
        assertTrue(out.get(4).anomaly);
        List<Moment> m = moments();
        assertEquals(1, m.size());
        assertEquals(Moment.CHAT_SPIKE, m.get(0).momentType);
        assertEquals("s", m.get(0).streamId);
        assertEquals(4.0, m.get(0).intensity, 1e-12);
        // the burst began in the newest slide of the first anomalous window
        assertEquals(out.get(4).windowEnd - SLIDE, m.get(0).timestamp);
        assertTrue(m.get(0).metadata.contains("\"baseline_center\":2.0"), m.get(0).metadata);
        assertTrue(m.get(0).description.startsWith("Chat spike"), m.get(0).description);
    }

    @Test
    void smallWobbleOnFlatBaselineIsNotAMoment() throws Exception {
        List<WindowSummary> out = feed("s", 0, 2, 2, 2, 2, 3.4);
        assertEquals(2.8, out.get(4).zScore, 1e-9);
        assertFalse(out.get(4).anomaly);
        assertTrue(moments().isEmpty());
    }

    @Test
    void onABusyStreamARiseWithinTheCountingNoiseIsNotAMoment() throws Exception {
        // 62.5 messages/s over 60 s windows: a Poisson count varies one window's rate by about
        // 1.02 msg/s. Against the centre of 4 windows that share slides with it, the slide
        // weights (window minus centre) are -1/4, -2/4, -3/4, -1, 0, 0, 1/4, 2/4, 3/4, 1 (times
        // 1/60 s); their squares add to 3.75, so the noise is √(62.5 × 3.75 × 10 / 3600) = 0.81
        List<WindowSummary> out = feed("s", 0, 62.5, 62.5, 62.5, 62.5, 64.2);
        assertEquals((64.2 - 62.5) / Math.sqrt(62.5 * 3.75 * 10 / 3600), out.get(4).zScore, 1e-9);
        assertFalse(out.get(4).anomaly, "a 2.7 % rise is noise at this rate, not a spike");
        assertTrue(moments().isEmpty());
    }

    @Test
    void onABusyStreamARealSpikeIsStillAMoment() throws Exception {
        List<WindowSummary> out = feed("s", 0, 62.5, 62.5, 62.5, 62.5, 100);
        assertTrue(out.get(4).anomaly);
        assertEquals(1, moments().size());
        assertTrue(
                moments().get(0).metadata.contains("\"counting_noise\":0.806"),
                moments().get(0).metadata);
    }

    @Test
    void consecutiveAnomalousWindowsAreOneMomentWithItsPeakUpdated() throws Exception {
        feed("s", 0, 1, 1, 1, 1, 4, 30);
        List<Moment> m = moments();
        assertEquals(2, m.size(), "re-emitted with the update");
        assertEquals(m.get(0).timestamp, m.get(1).timestamp, "same moment key");
        assertTrue(m.get(1).intensity > m.get(0).intensity, "peak updated");
        assertTrue(m.get(1).metadata.contains("\"anomalous_windows\":2"), m.get(1).metadata);
    }

    @Test
    void aNewBurstAfterCalmIsANewMoment() throws Exception {
        feed("s", 0, 1, 1, 1, 1, 5, 1, 1, 1, 1, 1, 1, 1, 1, 9);
        List<Moment> m = moments();
        assertEquals(2, m.size());
        assertTrue(m.get(1).timestamp > m.get(0).timestamp);
    }

    @Test
    void flatBaselineProducesNoMoments() throws Exception {
        List<WindowSummary> out = feed("s", 0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3);
        assertTrue(moments().isEmpty());
        for (int i = HISTORY; i < out.size(); i++) {
            assertEquals(0.0, out.get(i).zScore, 1e-12);
        }
    }

    @Test
    void streamsHaveIndependentBaselines() throws Exception {
        feed("a", 0, 1, 1, 1, 1);
        feed("b", 0, 100, 100, 100, 100);
        feed("a", 4, 10);
        feed("b", 4, 100);
        List<Moment> m = moments();
        assertEquals(1, m.size());
        assertEquals("a", m.get(0).streamId);
    }

    @Test
    void missingWindowsCountAsSilenceInTheBaseline() throws Exception {
        // windows 0..3 at rate 4, then nothing for windows 4 and 5, then window 6 at rate 4
        List<WindowSummary> out = feed("s", 0, 4, 4, 4, 4);
        out = feed("s", 6, 4);
        // baseline is now 4, 4, 0, 0 → mean 2, stddev 2 → z = 1
        assertEquals(1.0, out.get(out.size() - 1).zScore, 1e-12);
    }

    @Test
    void aLongSilenceRestartsTheWarmUp() throws Exception {
        feed("s", 0, 4, 4, 4, 4, 4);
        List<WindowSummary> out = feed("s", 5 + HISTORY + 1, 40);
        assertNull(out.get(out.size() - 1).zScore);
        assertTrue(moments().isEmpty());
    }

    @Test
    void lateRefiringOfAScoredWindowLeavesBaselineAndCarriesNoZScore() throws Exception {
        feed("s", 0, 2, 2, 2, 2, 2);
        List<WindowSummary> out = feed("s", 3, 50); // window 3 again, updated by a late event
        WindowSummary refired = out.get(out.size() - 1);
        assertNull(refired.zScore);
        assertFalse(refired.anomaly);
        assertTrue(moments().isEmpty());
        out = feed("s", 5, 2);
        assertEquals(
                0.0, out.get(out.size() - 1).zScore, 1e-12, "baseline unchanged by the re-firing");
    }

    /** A window of 30 messages with the given viewers, sentiment and top-emote count. */
    private WindowSummary window(int index, Double viewers, Double sentiment, long emoteCount) {
        WindowSummary s = new WindowSummary();
        s.streamId = "s";
        s.windowStart = index * SLIDE;
        s.windowEnd = s.windowStart + 60_000;
        s.chatCount = 30;
        s.chatRate = 0.5;
        s.avgViewers = viewers;
        s.avgSentiment = sentiment;
        s.topEmotes = emoteCount == 0 ? new String[0] : new String[] {"KEKW"};
        s.topEmoteCount = emoteCount;
        return s;
    }

    private List<Moment> feedWindows(WindowSummary... windows) throws Exception {
        for (WindowSummary w : windows) {
            harness.processElement(w, w.windowEnd - 1);
        }
        return moments();
    }

    @Test
    void aRaidIsAViewerSpikeAndALeavingAudienceAViewerDrop() throws Exception {
        List<Moment> m =
                feedWindows(
                        window(0, 1000.0, null, 0),
                        window(1, 1010.0, null, 0),
                        window(2, 990.0, null, 0),
                        window(3, 1000.0, null, 0),
                        window(4, 1400.0, null, 0), // +40 %: below the 50 % default
                        window(5, 2600.0, null, 0), // +136 % against the mean 1100
                        window(6, 3000.0, null, 0));
        assertEquals(List.of(Moment.VIEWER_SPIKE, Moment.VIEWER_SPIKE), types(m));
        assertEquals(m.get(0).timestamp, m.get(1).timestamp, "one raid, one moment");
        assertEquals(5 * SLIDE + 60_000 - SLIDE, m.get(0).timestamp);
        assertTrue(m.get(0).description.startsWith("Viewer spike"), m.get(0).description);
        assertTrue(m.get(1).metadata.contains("\"anomalous_windows\":2"), m.get(1).metadata);

        harness.close();
        open();
        m =
                feedWindows(
                        window(0, 1000.0, null, 0),
                        window(1, 1000.0, null, 0),
                        window(2, 1000.0, null, 0),
                        window(3, 1000.0, null, 0),
                        window(4, 500.0, null, 0));
        assertEquals(List.of(Moment.VIEWER_DROP), types(m));
        assertEquals(0.5, m.get(0).intensity, 1e-12, "intensity: the relative change");
    }

    /**
     * The sentiment baseline holds HISTORY + 2 × 5 windows (5 overlap a 60 s window at a 10 s
     * slide) and scores nothing before it is full.
     */
    private static final int SENTIMENT_WARM_UP = HISTORY + 10;

    private List<WindowSummary> usualMood(double sentiment) {
        List<WindowSummary> out = new ArrayList<>();
        for (int i = 0; i < SENTIMENT_WARM_UP; i++) {
            out.add(window(i, null, sentiment, 0));
        }
        return out;
    }

    @Test
    void aSentimentSwingNeedsEnoughMessages() throws Exception {
        List<WindowSummary> windows = usualMood(0.30);
        int next = windows.size();
        WindowSummary few = window(next, null, -0.6, 0);
        few.chatCount = 5; // below min messages (20 here): not judged
        windows.add(few);
        windows.add(window(next + 1, null, -0.20, 0)); // 0.5 below the usual 0.30
        List<Moment> m = feedWindows(windows.toArray(WindowSummary[]::new));
        assertEquals(List.of(Moment.SENTIMENT_SWING), types(m));
        assertEquals(0.5, m.get(0).intensity, 1e-9);
        assertTrue(m.get(0).description.contains("fell"), m.get(0).description);
    }

    @Test
    void aMoodThatTurnsOverAMinuteIsASwingThoughEachWindowMovesLittle() throws Exception {
        // overlapping windows take a turn in steps of 0.1: a centre that took each step in would
        // follow the turn and never be 0.3 away from it
        List<WindowSummary> windows = usualMood(0.30);
        int next = windows.size();
        for (int step = 1; step <= 6; step++) {
            windows.add(window(next++, null, 0.30 - 0.1 * step, 0));
        }
        List<Moment> m = feedWindows(windows.toArray(WindowSummary[]::new));
        assertEquals(List.of(Moment.SENTIMENT_SWING), types(m).stream().distinct().toList());
        assertTrue(m.get(0).description.contains("fell"), m.get(0).description);
    }

    @Test
    void aChatSpikesMoodStaysOutOfTheSentimentBaseline() throws Exception {
        // a hype train: chat forty times the usual and its mood 0.28 up (below the 0.3 minimum);
        // had it entered the baseline, the return to the usual mood would be a swing
        List<WindowSummary> windows = usualMood(0.30);
        int next = windows.size();
        for (int i = 0; i < 4; i++) {
            WindowSummary hype = window(next++, null, 0.58, 0);
            hype.chatRate = 20;
            windows.add(hype);
        }
        windows.add(window(next, null, 0.27, 0));
        List<Moment> m = feedWindows(windows.toArray(WindowSummary[]::new));
        assertTrue(types(m).contains(Moment.CHAT_SPIKE), types(m).toString());
        assertFalse(types(m).contains(Moment.SENTIMENT_SWING), types(m).toString());
    }

    @Test
    void anEmoteFloodIsOneEmoteFarBeyondItsUsualShare() throws Exception {
        List<Moment> m =
                feedWindows(
                        window(0, null, null, 3),
                        window(1, null, null, 4),
                        window(2, null, null, 3),
                        window(3, null, null, 3),
                        window(4, null, null, 12), // 0.4 per message: below min share 0.5
                        window(5, null, null, 60)); // 2.0 per message, 11x the usual 0.18
        assertEquals(List.of(Moment.EMOTE_FLOOD), types(m));
        assertTrue(m.get(0).metadata.contains("\"emote\":\"KEKW\""), m.get(0).metadata);
    }

    @Test
    void theCooldownJoinsBurstsSeparatedByAShortCalm() throws Exception {
        harness.close();
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new MomentDetector(
                                        new MomentSettings(
                                                HISTORY,
                                                MomentSettings.BaselineKind.MEDIAN,
                                                3,
                                                THRESHOLD,
                                                MIN_STDDEV,
                                                0.0,
                                                0.5,
                                                0.3,
                                                0.3,
                                                20,
                                                0.5,
                                                3.0,
                                                MomentSettings.DEFAULT_STATE_EXPIRY),
                                        SIZE,
                                        SLIDE)),
                        s -> s.streamId,
                        Types.STRING);
        harness.open();
        // burst, 2 calm windows, burst (one moment); 5 calm windows, burst (a new one)
        feed("s", 0, 1, 1, 1, 1, 9, 1, 1, 9, 1, 1, 1, 1, 1, 9);
        List<Moment> m = moments();
        assertEquals(3, m.size());
        assertEquals(m.get(0).timestamp, m.get(1).timestamp, "within the cool-down: same moment");
        assertTrue(m.get(2).timestamp > m.get(1).timestamp, "after it: a new moment");
    }

    private static List<String> types(List<Moment> moments) {
        List<String> out = new ArrayList<>();
        moments.forEach(x -> out.add(x.momentType));
        return out;
    }

    @Test
    void baselineSurvivesASnapshotAndRestore() throws Exception {
        feed("s", 0, 2, 2, 2, 2);
        var snapshot = harness.snapshot(1L, 1L);
        harness.close();
        harness = newHarness();
        harness.initializeState(snapshot);
        harness.open();
        List<WindowSummary> out = feed("s", 4, 4);
        assertEquals(4.0, out.get(0).zScore, 1e-12, "no new warm-up after restore");
        assertEquals(1, moments().size());
    }

    /** The end of the window with index {@code i}, as {@link #feed} builds it. */
    private static long end(int i) {
        return i * SLIDE + SIZE;
    }

    /** Restarts the harness with the given expiry (nothing fed yet). */
    private void expiry(Duration stateExpiry) throws Exception {
        harness.close();
        harness = newHarness(stateExpiry);
        harness.open();
    }

    @Test
    void aStreamSilentForTheExpiryLeavesNoStateAndNoTimerWhileALiveStreamKeepsItsOwn()
            throws Exception {
        Duration expiry = MomentSettings.DEFAULT_STATE_EXPIRY;
        feed("ended", 0, 2, 2, 2, 2, 2);
        feed("live", 0, 2, 2, 2, 2, 2);
        assertEquals(2, harness.numKeyedStateEntries());
        assertEquals(2, harness.numEventTimeTimers(), "one timer per stream, moved by each window");

        long expiresAt = end(4) + expiry.toMillis();
        harness.processWatermark(expiresAt - 1);
        // the live stream's next window, the one the following watermark fires
        feed("live", 5 + (int) (expiry.toMillis() / SLIDE), 2);
        assertEquals(2, harness.numKeyedStateEntries(), "a stream silent for less is kept");
        assertEquals(2, harness.numEventTimeTimers());

        harness.processWatermark(expiresAt);
        assertEquals(1, harness.numKeyedStateEntries(), "only the live stream's state is left");
        assertEquals(1, harness.numEventTimeTimers(), "only the live stream's timer is left");

        harness.processWatermark(Long.MAX_VALUE);
        assertEquals(0, harness.numKeyedStateEntries(), "keyed state left");
        assertEquals(0, harness.numEventTimeTimers(), "timers left");
    }

    @Test
    void aSpikeAfterAPauseShorterThanTheExpiryIsScoredAgainstTheKeptBaseline() throws Exception {
        expiry(Duration.ofSeconds(30));
        feed("s", 0, 2, 2, 2, 2); // the baseline is full after window 3, which ends at 90 s
        // the watermark just before window 5 fires, 20 s after window 3's end: not yet expired
        harness.processWatermark(end(5) - 2);
        assertEquals(1, harness.numKeyedStateEntries());
        List<WindowSummary> out = feed("s", 5, 20);
        WindowSummary spike = out.get(out.size() - 1);
        // baseline 2, 2, 2 and 0 for the missing window 4: mean 1.5, stddev √0.75
        assertEquals((20 - 1.5) / Math.sqrt(0.75), spike.zScore, 1e-9, "scored: no new warm-up");
        assertTrue(spike.anomaly);
        assertEquals(1, moments().size());
    }

    @Test
    void aStreamReturningAfterTheExpiryStartsAFreshWarmUp() throws Exception {
        expiry(Duration.ofSeconds(30));
        feed("s", 0, 2, 2, 2, 2);
        harness.processWatermark(end(3) + 30_000);
        assertEquals(0, harness.numKeyedStateEntries(), "expired");
        assertEquals(0, harness.numEventTimeTimers());

        // window 7 is the first to fire after that watermark; only 3 windows are missing, fewer
        // than the history, so without the expiry it would be scored against 2, 0, 0, 0
        List<WindowSummary> out = feed("s", 7, 40, 2, 2, 2, 40);
        out = out.subList(out.size() - (HISTORY + 1), out.size()); // windows 7 to 11
        for (int i = 0; i < HISTORY; i++) {
            assertNull(out.get(i).zScore, "window " + (7 + i) + " is in a new warm-up");
            assertFalse(out.get(i).anomaly);
        }
        assertNotNull(out.get(HISTORY).zScore, "scored once the new baseline is full");
        assertEquals(1, harness.numEventTimeTimers(), "the returning stream expires again");
    }

    @Test
    void aLongerExpiryAfterARestoreIsHonouredByTimersSetBeforeIt() throws Exception {
        expiry(Duration.ofSeconds(30));
        feed("s", 0, 2, 2, 2, 2);
        var snapshot = harness.snapshot(1L, 1L); // its timer is at window 3's end + 30 s
        harness.close();
        harness = newHarness(Duration.ofSeconds(60));
        harness.initializeState(snapshot);
        harness.open();

        harness.processWatermark(end(3) + 30_000);
        assertEquals(1, harness.numKeyedStateEntries(), "kept: silent for 30 s of 60");
        assertEquals(1, harness.numEventTimeTimers(), "the timer moved to the new expiry");
        harness.processWatermark(end(3) + 60_000);
        assertEquals(0, harness.numKeyedStateEntries(), "keyed state left");
        assertEquals(0, harness.numEventTimeTimers(), "timers left");
    }
}
