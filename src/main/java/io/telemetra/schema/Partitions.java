package io.telemetra.schema;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.TreeSet;

/**
 * Keeps the day partitions of the three tables (schema version 2): creates them ahead of time,
 * moves rows that landed in a DEFAULT partition into their day's partition, and drops days older
 * than each table's retention. Run by {@link Migrate} after the schema versions, so once a day
 * (cron, a Kubernetes CronJob) keeps it current; {@link #AHEAD_DAYS} of partitions ahead make a
 * missed week harmless (rows of days without a partition wait in DEFAULT until the next run).
 *
 * <p>Every partition is created or dropped in a short transaction of its own, under a lock timeout
 * and retried: the exactly-once sink's prepared transactions hold locks on the tables they write
 * until they commit (within a checkpoint), and partition DDL must wait for them, not the reverse.
 */
public final class Partitions {
    /** Day partitions created ahead of today (UTC). */
    public static final int AHEAD_DAYS = 7;

    /** A partitioned table, its partition key and how long its rows are kept (zero: forever). */
    public record Table(String name, String key, Duration retention) {}

    /**
     * Window summaries: one row per stream per slide (8,640 a stream a day), for dashboards over
     * weeks and months. 90 days keeps a quarter for comparisons at about 780,000 rows per stream.
     */
    public static final Duration SUMMARY_RETENTION = Duration.ofDays(90);

    /** Moments are few and are the raw material for clips and highlights: a year. */
    public static final Duration MOMENT_RETENTION = Duration.ofDays(365);

    /**
     * Rejected records keep raw payloads, which carry user names and messages: two weeks to look at
     * a bad producer, then gone.
     */
    public static final Duration REJECTION_RETENTION = Duration.ofDays(14);

    private static final int ATTEMPTS = 12;

    private Partitions() {}

    public static List<Table> tables(Duration summaries, Duration moments, Duration rejections) {
        return List.of(
                new Table("chat_summary_minute", "window_start", summaries),
                new Table("moments", "\"timestamp\"", moments),
                new Table("rejected_events", "record_timestamp", rejections));
    }

    /** Maintains every table's partitions for the database's current day (UTC). */
    public static void maintain(Connection c, List<Table> tables, PrintStream out)
            throws SQLException {
        LocalDate today;
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT (now() AT TIME ZONE 'UTC')::date")) {
            rs.next();
            today = rs.getObject(1, LocalDate.class);
        }
        maintain(c, tables, today, out);
    }

    static void maintain(Connection c, List<Table> tables, LocalDate today, PrintStream out)
            throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET lock_timeout = '5s'");
        }
        for (Table t : tables) {
            LocalDate cutoff =
                    t.retention().isZero() ? null : today.minusDays(t.retention().toDays());
            TreeSet<LocalDate> days = new TreeSet<>();
            for (LocalDate d = today.minusDays(1); !d.isAfter(today.plusDays(AHEAD_DAYS)); ) {
                days.add(d);
                d = d.plusDays(1);
            }
            // days whose rows wait in the DEFAULT partition: a backfill, a replay, a migrated table
            try (Statement st = c.createStatement();
                    ResultSet rs =
                            st.executeQuery(
                                    "SELECT DISTINCT ("
                                            + t.key()
                                            + " AT TIME ZONE 'UTC')::date FROM "
                                            + t.name()
                                            + "_default")) {
                while (rs.next()) {
                    days.add(rs.getObject(1, LocalDate.class));
                }
            }
            int created = 0;
            for (LocalDate d : days) {
                if (cutoff == null || d.isAfter(cutoff.minusDays(1))) {
                    created +=
                            retried(c, "SELECT telemetra_ensure_day_partition(?, ?)", t.name(), d)
                                    ? 1
                                    : 0;
                }
            }
            int dropped = 0;
            if (cutoff != null) {
                dropped =
                        retriedCount(
                                c,
                                "SELECT telemetra_drop_day_partitions_before(?, ?)",
                                t.name(),
                                cutoff);
            }
            out.printf(
                    "%s: %d day partition(s) created, %d dropped (%s)%n",
                    t.name(),
                    created,
                    dropped,
                    cutoff == null ? "kept forever" : "kept from " + cutoff);
        }
    }

    private static boolean retried(Connection c, String sql, String table, LocalDate day)
            throws SQLException {
        return retriedCount(c, sql, table, day) > 0;
    }

    /** Runs a one-row function call in its own transaction, again while a lock is not granted. */
    private static int retriedCount(Connection c, String sql, String table, LocalDate day)
            throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, table);
                ps.setObject(2, day);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    Object v = rs.getObject(1);
                    return v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).intValue();
                }
            } catch (SQLException e) {
                // 55P03 lock_not_available: a prepared transaction still holds the table
                if (!"55P03".equals(e.getSQLState()) || attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }
}
