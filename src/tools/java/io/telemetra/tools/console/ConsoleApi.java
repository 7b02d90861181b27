package io.telemetra.tools.console;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The console's JSON API: each method is one page's data, read with a few indexed queries (the
 * README lists them with their plans; {@code ConsoleIT} checks each plan uses an index). Times go
 * out as epoch milliseconds, except the chart's x values ({@code series.t}), which are epoch
 * seconds, uPlot's unit.
 *
 * <p>Ranges end at the newest committed window, not at the wall clock: live the two are seconds
 * apart, and a replayed or historical database still shows its last 15 minutes.
 */
final class ConsoleApi {
    /** Streams listed on the overview, busiest (by newest chat rate) first. */
    static final int OVERVIEW_STREAMS = 200;

    /** Points per overview sparkline, whatever the range. */
    static final int SPARKLINE_POINTS = 60;

    static final int NEWEST_MOMENTS = 20;

    static final String NEWEST_WINDOW =
            "SELECT window_end FROM chat_summary_minute ORDER BY window_start DESC LIMIT 1";

    /** Each stream's newest window in the range and its window count, busiest first. */
    static final String OVERVIEW_STREAMS_SQL =
            "SELECT s.stream_id, s.window_end, s.chat_rate, s.unique_chatters, s.avg_sentiment,"
                    + " s.avg_viewers, c.windows FROM (SELECT stream_id, max(window_start) AS"
                    + " newest, count(*) AS windows FROM chat_summary_minute WHERE window_start >="
                    + " ? AND window_start < ? GROUP BY stream_id) c JOIN chat_summary_minute s ON"
                    + " s.stream_id = c.stream_id AND s.window_start = c.newest ORDER BY"
                    + " s.chat_rate DESC NULLS LAST, s.stream_id LIMIT "
                    + OVERVIEW_STREAMS;

    /** Chat rate per stream, averaged into equal buckets of the range. */
    static final String SPARKLINES_SQL =
            "SELECT stream_id, floor(extract(epoch FROM window_end) / ?) AS bucket, avg(chat_rate)"
                    + " FROM chat_summary_minute WHERE window_start >= ? AND window_start < ? AND"
                    + " stream_id = ANY (?) GROUP BY 1, 2 ORDER BY 1, 2";

    static final String MOMENT_COUNTS_SQL =
            "SELECT stream_id, count(*) FROM moments WHERE stream_id = ANY (?) AND \"timestamp\""
                    + " >= ? AND \"timestamp\" < ? GROUP BY stream_id";

    static final String NEWEST_MOMENTS_SQL =
            "SELECT id, stream_id, \"timestamp\", moment_type, intensity, description FROM moments"
                    + " WHERE \"timestamp\" >= ? AND \"timestamp\" < ? ORDER BY detected_at DESC"
                    + " LIMIT "
                    + NEWEST_MOMENTS;

    static final String STREAM_SERIES_SQL =
            "SELECT window_end, chat_rate, unique_chatters, avg_sentiment, positive_count,"
                    + " negative_count, avg_viewers, chat_count, top_emotes FROM"
                    + " chat_summary_minute WHERE stream_id = ? AND window_start >= ? AND"
                    + " window_start < ? ORDER BY window_start";

    static final String STREAM_MOMENTS_SQL =
            "SELECT id, stream_id, \"timestamp\", moment_type, intensity, description FROM moments"
                    + " WHERE stream_id = ? AND \"timestamp\" >= ? AND \"timestamp\" < ? ORDER BY"
                    + " \"timestamp\", id";

    static final String DEAD_ALERTS_SQL =
            "SELECT moment_id, stream_id, target, attempts, last_error, updated_at FROM"
                    + " moment_alerts WHERE status = 'dead' ORDER BY updated_at DESC LIMIT 50";

    static final String ALERT_COUNTS_SQL =
            "SELECT status, count(*) FROM moment_alerts WHERE status IN ('delivered', 'pending')"
                    + " GROUP BY status";

    private static final JsonFactory JSON = new JsonFactory();

    /** A time range [from, to) in epoch milliseconds. */
    record Range(long from, long to) {}

    /**
     * The range a page asks for: {@code from}/{@code to} (epoch ms) if given, else {@code range}
     * (15m, 1h, 6h, 24h; default 15m) ending at the newest window.
     */
    static Range range(Map<String, String> query, Long newest) {
        long end = newest == null ? System.currentTimeMillis() : newest + 1;
        String from = query.get("from");
        String to = query.get("to");
        if (from != null && to != null) {
            long f = Long.parseLong(from);
            long t = Long.parseLong(to);
            if (t <= f) {
                throw new IllegalArgumentException("'to' must be after 'from'");
            }
            return new Range(f, t);
        }
        // a moment's link (?at=) is turned into from/to by the page itself
        Duration span = span(query.getOrDefault("range", "15m"));
        return new Range(end - span.toMillis(), end);
    }

    static Duration span(String range) {
        return switch (range) {
            case "15m" -> Duration.ofMinutes(15);
            case "1h" -> Duration.ofHours(1);
            case "6h" -> Duration.ofHours(6);
            case "24h" -> Duration.ofHours(24);
            default ->
                    throw new IllegalArgumentException(
                            "unknown range '"
                                    + range
                                    + "'; use 15m, 1h, 6h or 24h, or from and to");
        };
    }

    /** The end of the newest committed window, epoch ms, or null when there is none. */
    static Long newestWindowEnd(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(NEWEST_WINDOW);
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getTimestamp(1).getTime() : null;
        }
    }

    static byte[] overview(Connection c, Map<String, String> query) throws Exception {
        Long newest = newestWindowEnd(c);
        Range r = range(query, newest);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(buf)) {
            g.writeStartObject();
            head(g, r, newest);
            List<String> ids = new ArrayList<>();
            Map<String, List<double[]>> sparks = new HashMap<>();
            Map<String, Long> momentCounts = new HashMap<>();
            List<Map<String, Object>> streams = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(OVERVIEW_STREAMS_SQL)) {
                ps.setTimestamp(1, new Timestamp(r.from()));
                ps.setTimestamp(2, new Timestamp(r.to()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> s = new LinkedHashMap<>();
                        s.put("stream_id", rs.getString(1));
                        s.put("last_window_end", rs.getTimestamp(2).getTime());
                        s.put("chat_rate", (Double) rs.getObject(3));
                        s.put("unique_chatters", rs.getInt(4));
                        s.put("avg_sentiment", (Double) rs.getObject(5));
                        s.put("avg_viewers", (Double) rs.getObject(6));
                        s.put("windows", rs.getLong(7));
                        streams.add(s);
                        ids.add(rs.getString(1));
                    }
                }
            }
            if (!ids.isEmpty()) {
                Array idArray = c.createArrayOf("varchar", ids.toArray());
                double bucketSeconds =
                        Math.max(10, (r.to() - r.from()) / 1000.0 / SPARKLINE_POINTS);
                try (PreparedStatement ps = c.prepareStatement(SPARKLINES_SQL)) {
                    ps.setDouble(1, bucketSeconds);
                    ps.setTimestamp(2, new Timestamp(r.from()));
                    ps.setTimestamp(3, new Timestamp(r.to()));
                    ps.setArray(4, idArray);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            sparks.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                                    .add(
                                            new double[] {
                                                rs.getDouble(2) * bucketSeconds, rs.getDouble(3)
                                            });
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(MOMENT_COUNTS_SQL)) {
                    ps.setArray(1, idArray);
                    ps.setTimestamp(2, new Timestamp(r.from()));
                    ps.setTimestamp(3, new Timestamp(r.to()));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            momentCounts.put(rs.getString(1), rs.getLong(2));
                        }
                    }
                }
            }
            g.writeArrayFieldStart("streams");
            for (Map<String, Object> s : streams) {
                g.writeStartObject();
                for (Map.Entry<String, Object> e : s.entrySet()) {
                    write(g, e.getKey(), e.getValue());
                }
                String id = (String) s.get("stream_id");
                g.writeNumberField("moments", momentCounts.getOrDefault(id, 0L));
                g.writeObjectFieldStart("sparkline");
                List<double[]> points = sparks.getOrDefault(id, List.of());
                g.writeArrayFieldStart("t");
                for (double[] p : points) {
                    g.writeNumber((long) p[0]);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("chat_rate");
                for (double[] p : points) {
                    g.writeNumber(p[1]);
                }
                g.writeEndArray();
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
            try (PreparedStatement ps = c.prepareStatement(NEWEST_MOMENTS_SQL)) {
                ps.setTimestamp(1, new Timestamp(r.from()));
                ps.setTimestamp(2, new Timestamp(r.to()));
                moments(g, ps);
            }
            g.writeEndObject();
        }
        return buf.toByteArray();
    }

    static byte[] stream(Connection c, String streamId, Map<String, String> query)
            throws Exception {
        Long newest = newestWindowEnd(c);
        Range r = range(query, newest);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(buf)) {
            g.writeStartObject();
            g.writeStringField("stream_id", streamId);
            head(g, r, newest);
            // columns, aligned: uPlot takes one array per series
            List<Object[]> rows = new ArrayList<>();
            Map<String, Integer> emotes = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(STREAM_SERIES_SQL)) {
                ps.setString(1, streamId);
                ps.setTimestamp(2, new Timestamp(r.from()));
                ps.setTimestamp(3, new Timestamp(r.to()));
                ps.setFetchSize(2000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(
                                new Object[] {
                                    rs.getTimestamp(1).getTime() / 1000,
                                    rs.getObject(2),
                                    rs.getObject(3),
                                    rs.getObject(4),
                                    rs.getObject(5),
                                    rs.getObject(6),
                                    rs.getObject(7),
                                    rs.getObject(8)
                                });
                        Array top = rs.getArray(9);
                        if (top != null) {
                            for (Object e : (Object[]) top.getArray()) {
                                emotes.merge((String) e, 1, Integer::sum);
                            }
                        }
                    }
                }
            }
            String[] names = {
                "t",
                "chat_rate",
                "unique_chatters",
                "avg_sentiment",
                "positive_count",
                "negative_count",
                "avg_viewers",
                "chat_count"
            };
            g.writeObjectFieldStart("series");
            for (int col = 0; col < names.length; col++) {
                g.writeArrayFieldStart(names[col]);
                for (Object[] row : rows) {
                    writeValue(g, row[col]);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            try (PreparedStatement ps = c.prepareStatement(STREAM_MOMENTS_SQL)) {
                ps.setString(1, streamId);
                ps.setTimestamp(2, new Timestamp(r.from()));
                ps.setTimestamp(3, new Timestamp(r.to()));
                moments(g, ps);
            }
            g.writeArrayFieldStart("top_emotes");
            emotes.entrySet().stream()
                    .sorted(
                            Map.Entry.<String, Integer>comparingByValue()
                                    .reversed()
                                    .thenComparing(Map.Entry.comparingByKey()))
                    .limit(10)
                    .forEach(
                            e -> {
                                try {
                                    g.writeStartObject();
                                    g.writeStringField("emote", e.getKey());
                                    g.writeNumberField("windows", e.getValue());
                                    g.writeEndObject();
                                } catch (IOException x) {
                                    throw new java.io.UncheckedIOException(x);
                                }
                            });
            g.writeEndArray();
            g.writeEndObject();
        }
        return buf.toByteArray();
    }

    /**
     * Dead-lettered alerts with their errors, and how many were delivered or are pending; null when
     * the database has no alert table (schema before version 3).
     */
    static byte[] alerts(Connection c) throws Exception {
        try (PreparedStatement ps =
                        c.prepareStatement("SELECT to_regclass('moment_alerts') IS NOT NULL");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return null;
            }
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(buf)) {
            g.writeStartObject();
            g.writeArrayFieldStart("dead");
            try (PreparedStatement ps = c.prepareStatement(DEAD_ALERTS_SQL);
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    g.writeStartObject();
                    g.writeNumberField("moment_id", rs.getLong(1));
                    g.writeStringField("stream_id", rs.getString(2));
                    g.writeStringField("webhook", rs.getString(3));
                    g.writeNumberField("attempts", rs.getInt(4));
                    write(g, "last_error", rs.getString(5));
                    g.writeNumberField("updated_at", rs.getTimestamp(6).getTime());
                    g.writeEndObject();
                }
            }
            g.writeEndArray();
            long delivered = 0;
            long pending = 0;
            try (PreparedStatement ps = c.prepareStatement(ALERT_COUNTS_SQL);
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(1).equals("delivered")) {
                        delivered = rs.getLong(2);
                    } else {
                        pending = rs.getLong(2);
                    }
                }
            }
            g.writeNumberField("delivered", delivered);
            g.writeNumberField("pending", pending);
            g.writeEndObject();
        }
        return buf.toByteArray();
    }

    /** The {@code moments} array, from a query of both moment SELECTs' columns. */
    private static void moments(JsonGenerator g, PreparedStatement ps)
            throws IOException, SQLException {
        g.writeArrayFieldStart("moments");
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                g.writeStartObject();
                g.writeNumberField("id", rs.getLong(1));
                g.writeStringField("stream_id", rs.getString(2));
                g.writeNumberField("timestamp", rs.getTimestamp(3).getTime());
                g.writeStringField("moment_type", rs.getString(4));
                write(g, "intensity", rs.getObject(5));
                write(g, "description", rs.getString(6));
                g.writeEndObject();
            }
        }
        g.writeEndArray();
    }

    /** The {@code window} event of the live stream. */
    static String liveEvent(long newest) {
        return "{\"newest_window_end\":"
                + newest
                + ",\"lag_seconds\":"
                + Math.max(0, (System.currentTimeMillis() - newest) / 1000.0)
                + "}";
    }

    private static void head(JsonGenerator g, Range r, Long newest) throws IOException {
        g.writeNumberField("from", r.from());
        g.writeNumberField("to", r.to());
        write(g, "newest_window_end", newest);
        write(
                g,
                "lag_seconds",
                newest == null
                        ? null
                        : Math.max(0, (System.currentTimeMillis() - newest) / 1000.0));
    }

    private static void write(JsonGenerator g, String field, Object v) throws IOException {
        g.writeFieldName(field);
        writeValue(g, v);
    }

    private static void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                g.writeNull();
            } else {
                g.writeNumber(d);
            }
        } else if (v instanceof Integer i) {
            g.writeNumber(i);
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else {
            g.writeString(v.toString());
        }
    }

    private ConsoleApi() {}
}
