package io.telemetra;

import io.telemetra.anomaly.Moment;
import io.telemetra.anomaly.MomentDetector;
import io.telemetra.config.TelemetraConfig;
import io.telemetra.event.Event;
import io.telemetra.event.EventTimeWatermarks;
import io.telemetra.event.ParsedRecord;
import io.telemetra.event.RejectLateEvent;
import io.telemetra.event.Rejection;
import io.telemetra.event.SplitRejections;
import io.telemetra.sentiment.Lexicon;
import io.telemetra.sentiment.ScoreSentiment;
import io.telemetra.sentiment.SentimentScorer;
import io.telemetra.window.SlicedWindows;
import io.telemetra.window.SlicedWindowsOperator;
import io.telemetra.window.WindowSummary;
import io.telemetra.window.WindowSummaryTypeInfo;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The whole Telemetra dataflow, read top to bottom: Kafka records → parse (in the source, with
 * per-partition watermarks) → split off rejections → score sentiment → key by stream → sliding
 * windows built from slices → detect moments → PostgreSQL.
 *
 * <p>Sources and sinks are passed in: production gives Kafka and JDBC, tests may give their own.
 */
public final class Pipeline {
    private Pipeline() {}

    /** The two inputs; each emits one {@link ParsedRecord} per Kafka record. */
    /**
     * The two inputs; for a replay, how many records each will read (-1: unbounded or unknown),
     * shown as the split operators' {@code recordsToReplay} gauge.
     */
    public record Sources(
            Source<ParsedRecord, ?, ?> chat,
            Source<ParsedRecord, ?, ?> viewer,
            long chatToReplay,
            long viewerToReplay) {
        public Sources(Source<ParsedRecord, ?, ?> chat, Source<ParsedRecord, ?, ?> viewer) {
            this(chat, viewer, -1, -1);
        }
    }

    /** The three outputs. */
    public record Sinks(
            Sink<WindowSummary> summaries, Sink<Moment> moments, Sink<Rejection> rejections) {}

    /** Never change: savepoints hold keyed state in this many key groups. */
    public static final int MAX_PARALLELISM = 128;

    /**
     * Valid events (chat sentiment scored), by topic, and the records rejected while parsing. Each
     * branch ends in its source's operator chain; {@link #all()} is their union.
     */
    public record Events(
            DataStream<Event> chat, DataStream<Event> viewers, DataStream<Rejection> rejected) {
        public DataStream<Event> all() {
            return chat.union(viewers);
        }
    }

    /**
     * The whole dataflow on {@code env}: parse → watermark → key → window → detect → sinks. Sets
     * the checkpointing and serialization settings the job relies on, so no caller can forget them.
     */
    public static void build(
            StreamExecutionEnvironment env,
            TelemetraConfig cfg,
            Lexicon lexicon,
            Sources sources,
            Sinks sinks) {
        Events events = events(env, cfg, sources, lexicon);
        SingleOutputStreamOperator<WindowSummary> windows = windows(events.all(), cfg.windows());

        DataStream<Rejection> late =
                windows.getSideOutput(SlicedWindows.LATE)
                        .map(
                                new RejectLateEvent(
                                        cfg.kafka().chatTopic(), cfg.kafka().viewerTopic()))
                        .uid(Operators.LATE_EVENTS.uid())
                        .name(Operators.LATE_EVENTS.displayName());

        // detect: windows of one stream arrive in window order, since they fire in watermark order
        SingleOutputStreamOperator<WindowSummary> summaries =
                windows.keyBy(s -> s.streamId, Types.STRING)
                        .process(
                                new MomentDetector(
                                        cfg.moments(),
                                        cfg.windows().size().toMillis(),
                                        cfg.windows().slide().toMillis()))
                        .uid(Operators.MOMENT_DETECTOR.uid())
                        .name(Operators.MOMENT_DETECTOR.displayName());

        // sinks
        summaries
                .sinkTo(sinks.summaries())
                .uid(Operators.SUMMARY_SINK.uid())
                .name(Operators.SUMMARY_SINK.displayName());
        summaries
                .getSideOutput(MomentDetector.MOMENTS)
                .sinkTo(sinks.moments())
                .uid(Operators.MOMENT_SINK.uid())
                .name(Operators.MOMENT_SINK.displayName());
        events.rejected()
                .union(late)
                .sinkTo(sinks.rejections())
                .uid(Operators.REJECTION_SINK.uid())
                .name(Operators.REJECTION_SINK.displayName());
    }

    /**
     * The first stages, shared with the benchmark: settings, then both sources (records are parsed
     * and watermarked per Kafka partition inside them), rejections split off, and chat messages
     * scored once, before windowing, so the overlapping windows share the work.
     *
     * @param lexicon null leaves sentiment unscored (the benchmark's floor measures parsing alone)
     */
    public static Events events(
            StreamExecutionEnvironment env, TelemetraConfig cfg, Sources sources, Lexicon lexicon) {
        configure(env, cfg);
        WatermarkStrategy<ParsedRecord> watermarks =
                EventTimeWatermarks.strategy(
                        cfg.eventTime().watermarkDelay(),
                        cfg.eventTime().idleness(),
                        cfg.eventTime().maxDrift());

        SingleOutputStreamOperator<Event> chat =
                env.fromSource(sources.chat(), watermarks, Operators.CHAT_SOURCE.displayName())
                        .uid(Operators.CHAT_SOURCE.uid())
                        .process(new SplitRejections("chat", sources.chatToReplay()))
                        .uid(Operators.SPLIT_CHAT_REJECTIONS.uid())
                        .name(Operators.SPLIT_CHAT_REJECTIONS.displayName());
        SingleOutputStreamOperator<Event> viewers =
                env.fromSource(sources.viewer(), watermarks, Operators.VIEWER_SOURCE.displayName())
                        .uid(Operators.VIEWER_SOURCE.uid())
                        .process(new SplitRejections("viewer", sources.viewerToReplay()))
                        .uid(Operators.SPLIT_VIEWER_REJECTIONS.uid())
                        .name(Operators.SPLIT_VIEWER_REJECTIONS.displayName());
        DataStream<Rejection> rejected =
                chat.getSideOutput(SplitRejections.REJECTED)
                        .union(viewers.getSideOutput(SplitRejections.REJECTED));

        DataStream<Event> scoredChat =
                lexicon == null
                        ? chat
                        : chat.map(new ScoreSentiment(new SentimentScorer(lexicon)))
                                .uid(Operators.SCORE_SENTIMENT.uid())
                                .name(Operators.SCORE_SENTIMENT.displayName());
        return new Events(scoredChat, viewers, rejected);
    }

    /**
     * Key + window: the union's watermark is the minimum of both topics' (idle partitions
     * excluded); each event updates one slice, windows are merged from slices when they fire.
     */
    public static SingleOutputStreamOperator<WindowSummary> windows(
            DataStream<Event> events, TelemetraConfig.Windows w) {
        return events.keyBy(e -> e.streamId, Types.STRING)
                .transform(
                        Operators.WINDOWS.displayName(),
                        new WindowSummaryTypeInfo(),
                        new SlicedWindowsOperator(
                                new SlicedWindows(
                                        w.size().toMillis(),
                                        w.slide().toMillis(),
                                        w.allowedLateness().toMillis(),
                                        w.sketchLgK())))
                .uid(Operators.WINDOWS.uid())
                .name(Operators.WINDOWS.displayName());
    }

    /** Checkpointing and serialization settings the job relies on. */
    private static void configure(StreamExecutionEnvironment env, TelemetraConfig cfg) {
        // Exactly-once checkpoints are needed by the XA sink, which commits its rows at
        // checkpoints.
        env.enableCheckpointing(
                cfg.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        // one checkpoint at a time: the sink prepares one transaction per checkpoint and waits for
        // its commit before it writes again (see PostgresTwoPhaseSink)
        env.getCheckpointConfig().setMaxConcurrentCheckpoints(1);
        // Every function here emits fresh objects and keeps no reference to its input, so chained
        // operators may pass records on without a defensive copy per event.
        env.getConfig().enableObjectReuse();
        // Keyed state is split into this many key groups, fixed by the first savepoint: a job can
        // later run at any parallelism up to it, but changing it makes the savepoint unreadable.
        // 128 is what Flink derives for small parallelisms, so earlier savepoints stay valid.
        env.setMaxParallelism(MAX_PARALLELISM);
    }
}
