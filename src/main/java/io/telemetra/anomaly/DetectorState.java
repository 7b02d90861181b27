package io.telemetra.anomaly;

/**
 * Per-stream state of the {@link MomentDetector}: one {@link Baseline} per watched metric and the
 * latest burst of each moment type. A POJO, so Flink serializes it without Kryo and fields can be
 * added in later releases (new fields come back null from an older savepoint and are created by
 * {@link #prepare}).
 *
 * <p>Version 0.1.0 kept the chat-rate ring buffer and the chat_spike moment in the flat fields
 * {@link #rates}, {@link #head}, {@link #size} and {@code moment*}; {@link #prepare} moves them
 * into {@link #chat} and {@link #chatSpike} when such a savepoint is restored.
 */
public class DetectorState {
    /** Start of the newest window seen, or {@link Long#MIN_VALUE} before the first. */
    public long lastWindowStart = Long.MIN_VALUE;

    public Baseline chat;
    public Baseline viewers;
    public Baseline sentiment;
    public Baseline emoteShare;

    public OpenMoment chatSpike;
    public OpenMoment viewerSpike;
    public OpenMoment viewerDrop;
    public OpenMoment sentimentSwing;
    public OpenMoment emoteFlood;

    // 0.1.0 layout, read from old savepoints only
    public double[] rates;
    public int head;
    public int size;
    public long momentStart = -1;
    public double momentPeak;
    public long momentPeakWindowStart;
    public int momentWindows;

    public DetectorState() {}

    /**
     * Brings a restored or new state to this version's layout with baselines of {@code history}
     * windows, the sentiment one of {@code sentimentHistory} (an old savepoint, a changed {@code
     * --anomaly.history}, or a stream seen first). A sentiment baseline of 0.2.0 keeps its values
     * and warms up for the windows it is short of.
     */
    public void prepare(int history, int sentimentHistory) {
        if (chat == null && rates != null) {
            chat = new Baseline();
            chat.values = rates;
            chat.head = head;
            chat.size = size;
            chatSpike = new OpenMoment();
            chatSpike.start = momentStart;
            chatSpike.peak = momentPeak;
            chatSpike.peakWindowStart = momentPeakWindowStart;
            chatSpike.windows = momentWindows;
            chatSpike.lastWindowStart = momentStart >= 0 ? lastWindowStart : 0;
            rates = null;
            momentStart = -1;
        }
        chat = sized(chat, history);
        viewers = sized(viewers, history);
        sentiment = sized(sentiment, sentimentHistory);
        emoteShare = sized(emoteShare, history);
        chatSpike = chatSpike == null ? new OpenMoment() : chatSpike;
        viewerSpike = viewerSpike == null ? new OpenMoment() : viewerSpike;
        viewerDrop = viewerDrop == null ? new OpenMoment() : viewerDrop;
        sentimentSwing = sentimentSwing == null ? new OpenMoment() : sentimentSwing;
        emoteFlood = emoteFlood == null ? new OpenMoment() : emoteFlood;
    }

    /** After a long silence: every baseline warms up again. Past moments are kept. */
    public void restartBaselines(int history, int sentimentHistory) {
        chat = Baseline.withCapacity(history);
        viewers = Baseline.withCapacity(history);
        sentiment = Baseline.withCapacity(sentimentHistory);
        emoteShare = Baseline.withCapacity(history);
    }

    private static Baseline sized(Baseline b, int history) {
        if (b == null) {
            return Baseline.withCapacity(history);
        }
        b.resize(history);
        return b;
    }
}
