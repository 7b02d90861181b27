package io.telemetra.sink;

import io.telemetra.anomaly.Moment;
import io.telemetra.event.EventParser;
import io.telemetra.event.Rejection;
import io.telemetra.window.WindowSummary;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;

/**
 * The SQL each sink runs. All writes are idempotent upserts on natural keys, so replaying input
 * (after a failure, or a deliberate backfill) never duplicates a row. Every value is a bound
 * parameter.
 */
public final class Statements {
    private Statements() {}

    /**
     * Columns of {@code chat_summary_minute} the job writes; also what the start-up check selects.
     */
    static final String SUMMARY_COLUMNS =
            "stream_id, window_start, window_end, chat_count, unique_chatters, avg_sentiment,"
                + " positive_count, negative_count, chat_rate, avg_viewers, top_emotes, z_score,"
                + " is_anomaly, processed_at";

    static final String MOMENT_COLUMNS =
            "stream_id, \"timestamp\", moment_type, description, intensity, metadata, detected_at";

    static final String REJECTION_COLUMNS =
            "source_topic, source_partition, source_offset, reason, detail, "
                    + "payload, payload_size, record_timestamp, rejected_at";

    /*
     * A window re-fired by allowed lateness arrives with z_score NULL: its baseline had moved on, so the
     * z-score and anomaly flag of the first firing are kept rather than erased.
     */
    public static final String UPSERT_SUMMARY =
            "INSERT INTO chat_summary_minute ("
                    + SUMMARY_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()) ON CONFLICT"
                    + " (stream_id, window_start) DO UPDATE SET window_end = EXCLUDED.window_end,"
                    + " chat_count = EXCLUDED.chat_count, unique_chatters ="
                    + " EXCLUDED.unique_chatters, avg_sentiment = EXCLUDED.avg_sentiment,"
                    + " positive_count = EXCLUDED.positive_count, negative_count ="
                    + " EXCLUDED.negative_count, chat_rate = EXCLUDED.chat_rate, avg_viewers ="
                    + " EXCLUDED.avg_viewers, top_emotes = EXCLUDED.top_emotes, z_score ="
                    + " COALESCE(EXCLUDED.z_score, chat_summary_minute.z_score), is_anomaly = CASE"
                    + " WHEN EXCLUDED.z_score IS NULL THEN chat_summary_minute.is_anomaly ELSE"
                    + " EXCLUDED.is_anomaly END, processed_at = now()";

    /**
     * A moment is re-emitted while its burst lasts; the newest emission carries the peak so far.
     */
    public static final String UPSERT_MOMENT =
            "INSERT INTO moments ("
                    + MOMENT_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?::jsonb, now()) ON CONFLICT (stream_id,"
                    + " moment_type, \"timestamp\") DO UPDATE SET description ="
                    + " EXCLUDED.description, intensity = EXCLUDED.intensity, metadata ="
                    + " EXCLUDED.metadata";

    /** A record rejected again on replay keeps its first row. */
    public static final String INSERT_REJECTION =
            "INSERT INTO rejected_events ("
                    + REJECTION_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, now()) ON CONFLICT (source_topic,"
                    + " source_partition, source_offset, record_timestamp) DO NOTHING";

    public static final JdbcStatementBuilder<WindowSummary> SUMMARY = Statements::bindSummary;
    public static final JdbcStatementBuilder<Moment> MOMENT = Statements::bindMoment;
    public static final JdbcStatementBuilder<Rejection> REJECTION = Statements::bindRejection;

    static void bindSummary(PreparedStatement ps, WindowSummary s) throws SQLException {
        ps.setString(1, s.streamId);
        ps.setObject(2, time(s.windowStart));
        ps.setObject(3, time(s.windowEnd));
        ps.setLong(4, s.chatCount);
        ps.setLong(5, s.uniqueChatters);
        setDouble(ps, 6, s.avgSentiment);
        ps.setLong(7, s.positiveCount);
        ps.setLong(8, s.negativeCount);
        ps.setDouble(9, s.chatRate);
        setDouble(ps, 10, s.avgViewers);
        ps.setArray(11, ps.getConnection().createArrayOf("text", s.topEmotes));
        setDouble(ps, 12, s.zScore);
        ps.setBoolean(13, s.anomaly);
    }

    static void bindMoment(PreparedStatement ps, Moment m) throws SQLException {
        ps.setString(1, m.streamId);
        ps.setObject(2, time(m.timestamp));
        ps.setString(3, m.momentType);
        ps.setString(4, m.description);
        ps.setDouble(5, m.intensity);
        ps.setString(6, m.metadata);
    }

    static void bindRejection(PreparedStatement ps, Rejection r) throws SQLException {
        ps.setString(1, r.topic);
        ps.setInt(2, r.partition);
        ps.setLong(3, r.offset);
        ps.setString(4, r.reason);
        ps.setString(5, r.detail);
        ps.setBytes(6, r.payload);
        ps.setInt(7, r.payloadSize);
        // a producer can stamp any long; only a value PostgreSQL can store is written, and a record
        // without one gets the epoch: the table is partitioned by this column, which must be the
        // same on every replay
        boolean stored = r.recordTimestamp >= 0 && r.recordTimestamp <= EventParser.MAX_TIMESTAMP;
        ps.setObject(8, time(stored ? r.recordTimestamp : 0));
    }

    private static OffsetDateTime time(long epochMillis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
    }

    private static void setDouble(PreparedStatement ps, int i, Double v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.DOUBLE);
        } else {
            ps.setDouble(i, v);
        }
    }
}
