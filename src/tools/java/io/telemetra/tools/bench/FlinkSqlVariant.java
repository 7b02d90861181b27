package io.telemetra.tools.bench;

import io.telemetra.config.TelemetraConfig;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * Telemetra's window metrics as a Flink SQL user would write them: two Kafka tables with the same
 * watermark delay, the sentiment scorer as a scalar function, and a HOP window table-valued
 * function. The same per-window metrics, except: unique chatters are an exact {@code COUNT
 * (DISTINCT)} (Flink SQL has no streaming HyperLogLog; it keeps every user id of a window in
 * state), and top emotes, emotes found by the lexicon, rejected-record routing and moments are not
 * expressed (top emotes need the emote array unnested, a second windowed aggregation with a window
 * Top-N, and a window join back). Its rows are counted, to check them against Telemetra's windows;
 * records Telemetra rejects (empty stream id, negative viewer count, a timestamp far in the future)
 * are filtered the way a SQL user would, so both compute the same windows.
 *
 * <p>{@link #tune} switches on what Flink's performance tuning guide recommends for aggregations:
 * mini-batch (window TVF aggregations always mini-batch; the options set it for the rest too),
 * two-phase local-global aggregation and split distinct aggregation.
 */
final class FlinkSqlVariant {
    private FlinkSqlVariant() {}

    static void tune(StreamTableEnvironment t) {
        var c = t.getConfig();
        c.set("table.exec.mini-batch.enabled", "true");
        c.set("table.exec.mini-batch.allow-latency", "1 s");
        c.set("table.exec.mini-batch.size", "5000");
        c.set("table.optimizer.agg-phase-strategy", "TWO_PHASE");
        c.set("table.optimizer.distinct-agg.split.enabled", "true");
    }

    static final String SELECT =
            """
            SELECT stream_id, window_start, window_end,
                   COUNT(message),
                   COUNT(DISTINCT user_id),
                   AVG(sentiment),
                   SUM(CASE WHEN sentiment >= 0.05 THEN 1 ELSE 0 END),
                   SUM(CASE WHEN sentiment <= -0.05 THEN 1 ELSE 0 END),
                   COUNT(message) / 60.0,
                   AVG(CAST(viewer_count AS DOUBLE))
            FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '%d' SECOND, INTERVAL '%d' SECOND))
            GROUP BY stream_id, window_start, window_end
            """;

    static void define(StreamTableEnvironment t, TelemetraConfig cfg) {
        t.createTemporarySystemFunction("score_sentiment", BenchJob.Sentiment.class);
        String kafka =
                "'connector' = 'kafka', 'properties.bootstrap.servers' = '%s',"
                                .formatted(cfg.kafka().bootstrapServers())
                        + " 'properties.group.id' = '%s', 'scan.startup.mode' = 'earliest-offset',"
                                .formatted(cfg.kafka().groupId())
                        + " 'scan.bounded.mode' = 'latest-offset', 'format' = 'json',"
                        + " 'json.ignore-parse-errors' = 'true'";
        // Telemetra rejects a record stamped more than --watermark.max-future-skew ahead of the
        // wall clock before it reaches the watermark; in SQL the watermark is computed at the scan,
        // so such a record (the corpus has some, 10 years ahead) would move it 10 years on and
        // every later window would be dropped as late. A SQL user guards the time column instead:
        // such a record gets time 0, is late, and is dropped like Telemetra's rejection.
        String watermark =
                ("ts AS TO_TIMESTAMP_LTZ(CASE WHEN `timestamp` > UNIX_TIMESTAMP() * 1000 + %d"
                                + " THEN 0 ELSE `timestamp` END, 3),"
                                + " WATERMARK FOR ts AS ts - INTERVAL '%d' SECOND")
                        .formatted(
                                cfg.eventLimits().maxFutureSkewMillis(),
                                cfg.eventTime().watermarkDelay().toSeconds());
        t.executeSql(
                "CREATE TABLE chat (stream_id STRING, user_id STRING, message STRING,"
                        + " `timestamp` BIGINT, "
                        + watermark
                        + ") WITH ("
                        + kafka
                        + ", 'topic' = '"
                        + cfg.kafka().chatTopic()
                        + "')");
        t.executeSql(
                "CREATE TABLE viewers (stream_id STRING, viewer_count BIGINT, `timestamp` BIGINT, "
                        + watermark
                        + ") WITH ("
                        + kafka
                        + ", 'topic' = '"
                        + cfg.kafka().viewerTopic()
                        + "')");
        t.executeSql(
                """
                CREATE TEMPORARY VIEW events AS
                SELECT stream_id, ts, user_id, message, score_sentiment(message) AS sentiment,
                       CAST(NULL AS BIGINT) AS viewer_count
                FROM chat WHERE stream_id <> '' AND user_id IS NOT NULL AND message IS NOT NULL
                UNION ALL
                SELECT stream_id, ts, CAST(NULL AS STRING), CAST(NULL AS STRING),
                       CAST(NULL AS DOUBLE), viewer_count
                FROM viewers WHERE stream_id <> '' AND viewer_count >= 0
                """);
    }

    static String select(TelemetraConfig cfg) {
        return SELECT.formatted(
                cfg.windows().slide().toSeconds(), cfg.windows().size().toSeconds());
    }
}
