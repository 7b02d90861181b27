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
import io.telemetra.window.WindowSummary;
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
    public record Sources(Source<ParsedRecord, ?, ?> chat, Source<ParsedRecord, ?, ?> viewer) {}

    /** The three outputs. */
    public record Sinks(
            Sink<WindowSummary> summaries, Sink<Moment> moments, Sink<Rejection> rejections) {}

    /** Never change: savepoints hold keyed state in this many key groups. */
    public static final int MAX_PARALLELISM = 128;

    /** Checkpointing and serialization settings the job relies on. */
    public static void configure(StreamExecutionEnvironment env, TelemetraConfig cfg) {
        // Exactly-once is needed by the XA sink: rows are committed when a checkpoint completes.
        env.enableCheckpointing(
                cfg.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        // Every function here emits fresh objects and keeps no reference to its input, so chained
        // operators may pass records on without a defensive copy per event.
        env.getConfig().enableObjectReuse();
        // Keyed state is split into this many key groups, fixed by the first savepoint: a job can
        // later run at any parallelism up to it, but changing it makes the savepoint unreadable.
        // 128 is what Flink derives for small parallelisms, so earlier savepoints stay valid.
        env.setMaxParallelism(MAX_PARALLELISM);
    }

    public static void build(
            StreamExecutionEnvironment env,
            TelemetraConfig cfg,
            Lexicon lexicon,
            Sources sources,
            Sinks sinks) {
        WatermarkStrategy<ParsedRecord> watermarks =
                EventTimeWatermarks.strategy(cfg.watermarkDelay(), cfg.watermarkIdleness());

        // parse + watermark: both happen inside the sources, per Kafka partition
        SingleOutputStreamOperator<Event> chat =
                env.fromSource(sources.chat(), watermarks, Operators.CHAT_SOURCE.displayName())
                        .uid(Operators.CHAT_SOURCE.uid())
                        .process(new SplitRejections())
                        .uid(Operators.SPLIT_CHAT_REJECTIONS.uid())
                        .name(Operators.SPLIT_CHAT_REJECTIONS.displayName());
        SingleOutputStreamOperator<Event> viewers =
                env.fromSource(sources.viewer(), watermarks, Operators.VIEWER_SOURCE.displayName())
                        .uid(Operators.VIEWER_SOURCE.uid())
                        .process(new SplitRejections())
                        .uid(Operators.SPLIT_VIEWER_REJECTIONS.uid())
                        .name(Operators.SPLIT_VIEWER_REJECTIONS.displayName());

        // score each message once, before windowing, so the six overlapping windows share the work
        DataStream<Event> scoredChat =
                chat.map(new ScoreSentiment(new SentimentScorer(lexicon)))
                        .uid(Operators.SCORE_SENTIMENT.uid())
                        .name(Operators.SCORE_SENTIMENT.displayName());

        // key + window: the union's watermark is the minimum of both topics' (idle partitions
        // excluded); each event updates one slice, windows are merged from slices when they fire
        SingleOutputStreamOperator<WindowSummary> windows =
                scoredChat
                        .union(viewers)
                        .keyBy(e -> e.streamId, Types.STRING)
                        .process(
                                new SlicedWindows(
                                        cfg.windowSize().toMillis(),
                                        cfg.windowSlide().toMillis(),
                                        cfg.allowedLateness().toMillis(),
                                        cfg.sketchLgK()))
                        .uid(Operators.WINDOWS.uid())
                        .name(Operators.WINDOWS.displayName());

        DataStream<Rejection> late =
                windows.getSideOutput(SlicedWindows.LATE)
                        .map(new RejectLateEvent(cfg.chatTopic(), cfg.viewerTopic()))
                        .uid(Operators.LATE_EVENTS.uid())
                        .name(Operators.LATE_EVENTS.displayName());

        // detect: windows of one stream arrive in window order, since they fire in watermark order
        SingleOutputStreamOperator<WindowSummary> summaries =
                windows.keyBy(s -> s.streamId, Types.STRING)
                        .process(
                                new MomentDetector(
                                        cfg.momentSettings(),
                                        cfg.windowSize().toMillis(),
                                        cfg.windowSlide().toMillis()))
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
        chat.getSideOutput(SplitRejections.REJECTED)
                .union(viewers.getSideOutput(SplitRejections.REJECTED), late)
                .sinkTo(sinks.rejections())
                .uid(Operators.REJECTION_SINK.uid())
                .name(Operators.REJECTION_SINK.displayName());
    }
}
