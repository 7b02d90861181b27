package io.telemetra.tools.demo;

import java.io.PrintStream;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/**
 * The demo's terminal view: the busiest streams' latest window and the newest moments, from
 * PostgreSQL.
 */
final class LiveView {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private final String url;
    private final PrintStream out;

    LiveView(String url, PrintStream out) {
        this.url = url;
        this.out = out;
    }

    void print() {
        StringBuilder sb = new StringBuilder();
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
                Statement st = c.createStatement()) {
            ResultSet totals =
                    st.executeQuery(
                            "SELECT (SELECT count(*) FROM chat_summary_minute), (SELECT count(*)"
                                    + " FROM moments), (SELECT count(*) FROM rejected_events)");
            totals.next();
            sb.append(
                    String.format(
                            "%n── %s UTC ── %d windows, %d moments, %d rejected records ──%n",
                            LocalTime.now(ZoneOffset.UTC).format(TIME),
                            totals.getLong(1),
                            totals.getLong(2),
                            totals.getLong(3)));
            sb.append(
                    String.format(
                            "%-12s %-9s %9s %8s %9s %8s  %s%n",
                            "stream",
                            "window",
                            "msg/s",
                            "chatters",
                            "sentiment",
                            "viewers",
                            "top emotes"));
            ResultSet rs =
                    st.executeQuery(
                            "SELECT * FROM (SELECT DISTINCT ON (stream_id) stream_id, window_end,"
                                    + " chat_rate, unique_chatters, avg_sentiment, avg_viewers,"
                                    + " top_emotes FROM chat_summary_minute ORDER BY stream_id,"
                                    + " window_start DESC) latest ORDER BY chat_rate DESC LIMIT 5");
            while (rs.next()) {
                Array emotes = rs.getArray(7);
                double sentiment = rs.getDouble(5);
                boolean noChat = rs.wasNull();
                double viewers = rs.getDouble(6);
                boolean noViewers = rs.wasNull();
                sb.append(
                        String.format(
                                "%-12s %-9s %9.2f %8d %9s %8s  %s%n",
                                rs.getString(1),
                                rs.getObject(2, java.time.OffsetDateTime.class)
                                        .withOffsetSameInstant(ZoneOffset.UTC)
                                        .format(TIME),
                                rs.getDouble(3),
                                rs.getLong(4),
                                noChat ? "-" : String.format("%+.2f", sentiment),
                                noViewers ? "-" : String.format("%.0f", viewers),
                                emotes == null
                                        ? ""
                                        : String.join(
                                                " ", Arrays.asList((String[]) emotes.getArray()))));
            }
            rs =
                    st.executeQuery(
                            "SELECT stream_id, \"timestamp\", moment_type, intensity, description"
                                    + " FROM moments ORDER BY detected_at DESC, \"timestamp\" DESC"
                                    + " LIMIT 3");
            boolean any = false;
            while (rs.next()) {
                if (!any) {
                    sb.append("newest moments:\n");
                    any = true;
                }
                sb.append(
                        String.format(
                                "  %s %-12s %-11s z=%.1f  %s%n",
                                rs.getObject(2, java.time.OffsetDateTime.class)
                                        .withOffsetSameInstant(ZoneOffset.UTC)
                                        .format(TIME),
                                rs.getString(1),
                                rs.getString(3),
                                rs.getDouble(4),
                                rs.getString(5)));
            }
        } catch (SQLException e) {
            sb.append("(live view: ").append(e.getMessage()).append(")\n");
        }
        out.print(sb);
        out.flush();
    }
}
