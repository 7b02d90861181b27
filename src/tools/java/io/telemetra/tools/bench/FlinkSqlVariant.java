package io.telemetra.tools.bench;

import io.telemetra.config.TelemetraConfig;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * Telemetra's window metrics as a Flink SQL user would write them: two Kafka tables with the same
 * watermark delay, the sentiment scorer as a scalar function, and a HOP window table-valued
 * function. Not expressed: top emotes (it needs the emote array unnested, a second windowed
 * aggregation with a window Top-N, and a window join back), HyperLogLog (Flink SQL's streaming
 * {@code COUNT(DISTINCT)} is exact and keeps every user id in state), emotes found by the lexicon,
 * rejected-record routing and moments.
 */
final class FlinkSqlVariant {
    private FlinkSqlVariant() {}

    static final String INSERT =
            """
            INSERT INTO window_results
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
        String watermark =
                "ts AS TO_TIMESTAMP_LTZ(`timestamp`, 3), WATERMARK FOR ts AS ts - INTERVAL '%d' SECOND"
                        .formatted(cfg.eventTime().watermarkDelay().toSeconds());
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
                FROM chat WHERE stream_id IS NOT NULL AND user_id IS NOT NULL AND message IS NOT NULL
                UNION ALL
                SELECT stream_id, ts, CAST(NULL AS STRING), CAST(NULL AS STRING),
                       CAST(NULL AS DOUBLE), viewer_count
                FROM viewers WHERE stream_id IS NOT NULL AND viewer_count IS NOT NULL
                """);
        t.executeSql(
                """
                CREATE TABLE window_results (
                  stream_id STRING, window_start TIMESTAMP_LTZ(3), window_end TIMESTAMP_LTZ(3),
                  chat_count BIGINT, unique_chatters BIGINT, avg_sentiment DOUBLE,
                  positive_count INT, negative_count INT, chat_rate DECIMAL(38, 6), avg_viewers DOUBLE
                ) WITH ('connector' = 'blackhole')
                """);
    }

    static String insert(TelemetraConfig cfg) {
        return INSERT.formatted(
                cfg.windows().slide().toSeconds(), cfg.windows().size().toSeconds());
    }
}
