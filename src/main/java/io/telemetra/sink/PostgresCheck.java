package io.telemetra.sink;

import io.telemetra.StartupException;
import io.telemetra.config.Option;
import io.telemetra.config.TelemetraConfig;
import io.telemetra.schema.SchemaVersion;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Start-up check of the database the sinks write to: reachable with the given credentials, the
 * three tables present with the columns and unique keys the upserts need, and (for exactly-once)
 * prepared transactions enabled. A failure here names the problem and the command that fixes it,
 * instead of a job that restarts forever on its first write.
 */
public final class PostgresCheck {
    private static final String SCHEMA_HINT = SchemaVersion.HOW_TO_MIGRATE;

    private PostgresCheck() {}

    /**
     * @param parallelism the job's parallelism, to size the prepared-transaction requirement
     */
    /**
     * @param freshStart the job starts without a savepoint: transactions an earlier job of this
     *     deployment left prepared are then no one's to resolve, and hold row locks
     */
    public static void verify(TelemetraConfig cfg, int parallelism, boolean freshStart) {
        try (Connection c = connect(cfg)) {
            checkTable(
                    c,
                    "chat_summary_minute",
                    Statements.SUMMARY_COLUMNS,
                    "stream_id",
                    "window_start");
            checkTable(
                    c,
                    "moments",
                    Statements.MOMENT_COLUMNS,
                    "moment_type",
                    "stream_id",
                    "timestamp");
            checkTable(
                    c,
                    "rejected_events",
                    Statements.REJECTION_COLUMNS,
                    "record_timestamp",
                    "source_offset",
                    "source_partition",
                    "source_topic");
            SchemaVersion.check(c, cfg.postgres().url());
            if (cfg.postgres().exactlyOnce()) {
                checkPreparedTransactions(c, parallelism);
                if (freshStart
                        && cfg.postgres().strayTransactions()
                                == PostgresTwoPhaseSink.StrayTransactions.FAIL) {
                    checkStrayTransactions(c, TransactionName.deploymentOf(cfg.kafka().groupId()));
                }
            }
        } catch (SQLException e) {
            throw new StartupException(
                    "PostgreSQL check failed at " + cfg.postgres().url() + ": " + e.getMessage());
        }
    }

    static Connection connect(TelemetraConfig cfg) {
        return connect(cfg.postgres().url(), cfg.postgres().user(), cfg.postgres().password());
    }

    /** A connection, or a {@link StartupException} that says what to fix. */
    public static Connection connect(String url, String user, TelemetraConfig.Secret password) {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password.value());
        props.setProperty("connectTimeout", "10");
        props.setProperty("loginTimeout", "15");
        try {
            return DriverManager.getConnection(url, props);
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            String hint =
                    switch (state) {
                        case "28P01", "28000" ->
                                "check "
                                        + Option.POSTGRES_USER.label()
                                        + " and the password in POSTGRES_PASSWORD or "
                                        + Option.POSTGRES_PASSWORD_FILE.label();
                        case "3D000" ->
                                "create the database, or fix the database name in "
                                        + Option.POSTGRES_URL.label();
                        default ->
                                "check "
                                        + Option.POSTGRES_URL.label()
                                        + " and that PostgreSQL is running and reachable from here";
                    };
            // the driver's messages never include the password
            throw new StartupException(
                    "cannot connect to PostgreSQL at "
                            + url
                            + " as '"
                            + user
                            + "': "
                            + e.getMessage()
                            + "; "
                            + hint);
        }
    }

    private static void checkTable(Connection c, String table, String columns, String... uniqueKey)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new StartupException(
                            "table " + table + " does not exist; " + SCHEMA_HINT);
                }
            }
        }
        String probe =
                "SELECT "
                        + columns.replace(", processed_at", "")
                                .replace(", detected_at", "")
                                .replace(", rejected_at", "")
                        + " FROM "
                        + table
                        + " LIMIT 0";
        try (Statement st = c.createStatement()) {
            st.executeQuery(probe).close();
        } catch (SQLException e) {
            throw new StartupException(
                    "table "
                            + table
                            + " lacks a column the job writes ("
                            + e.getMessage()
                            + "); "
                            + SCHEMA_HINT
                            + " (it also converts tables made by the Spark job)");
        }
        // ON CONFLICT needs a unique index on exactly the natural key
        String sql =
                "SELECT count(*) FROM pg_index i WHERE i.indrelid = to_regclass(?) AND"
                        + " i.indisunique AND (SELECT array_agg(a.attname::text ORDER BY"
                        + " a.attname::text) FROM pg_attribute a WHERE a.attrelid = i.indrelid AND"
                        + " a.attnum = ANY(i.indkey)) = ?::text[] AND i.indnkeyatts ="
                        + " cardinality(?::text[])";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, table);
            ps.setArray(2, c.createArrayOf("text", uniqueKey));
            ps.setArray(3, c.createArrayOf("text", uniqueKey));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    throw new StartupException(
                            "table "
                                    + table
                                    + " has no unique key on ("
                                    + String.join(", ", uniqueKey)
                                    + "), which the job's idempotent upserts need; "
                                    + SCHEMA_HINT
                                    + " (it also converts tables made by the Spark job)");
                }
            }
        }
    }

    private static void checkPreparedTransactions(Connection c, int parallelism)
            throws SQLException {
        int max;
        try (Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT current_setting('max_prepared_transactions')::int")) {
            rs.next();
            max = rs.getInt(1);
        }
        // each sink subtask may hold a prepared transaction for a checkpoint being committed while
        // it
        // prepares the next one
        int needed = PostgresSinks.SINK_COUNT * Math.max(1, parallelism) * 2;
        if (max < needed) {
            throw new StartupException(
                    "PostgreSQL has max_prepared_transactions = "
                            + max
                            + ", but the exactly-once "
                            + "sink needs at least "
                            + needed
                            + " ("
                            + PostgresSinks.SINK_COUNT
                            + " sinks x parallelism "
                            + Math.max(1, parallelism)
                            + " x 2). Set max_prepared_transactions = "
                            + Math.max(needed, 20)
                            + " in postgresql.conf (ALTER SYSTEM SET max_prepared_transactions = "
                            + Math.max(needed, 20)
                            + ") and restart PostgreSQL, or run with "
                            + Option.SINK_DELIVERY.label()
                            + " at-least-once");
        }
    }

    /** Lists XA transactions left prepared in this database, for the logs and for tests. */
    /** Transactions of this deployment whose writers are gone (see {@link TransactionName}). */
    private static void checkStrayTransactions(Connection c, String deployment)
            throws SQLException {
        List<String> strays = new ArrayList<>();
        for (String gid : PreparedTransactions.listAll(c)) {
            TransactionName t = TransactionName.parse(gid).orElse(null);
            if (t != null
                    && t.deployment().equals(deployment)
                    && !PreparedTransactions.ownerAlive(c, t.owner())) {
                strays.add(gid);
            }
        }
        if (!strays.isEmpty()) {
            throw new StartupException(
                    StrayTransactionsException.message("of deployment " + deployment, strays));
        }
    }

    public static List<String> preparedTransactions(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT gid FROM pg_prepared_xacts WHERE database ="
                                        + " current_database()")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
