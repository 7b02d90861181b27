package io.telemetra.sink;

import io.telemetra.config.TelemetraConfig;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * PostgreSQL's two-phase commit as SQL ({@code PREPARE TRANSACTION}, {@code COMMIT PREPARED},
 * {@code ROLLBACK PREPARED}, {@code pg_prepared_xacts}), with the connection settings of the sinks.
 * The statements name a transaction by its gid, so a committable restored from a checkpoint needs
 * nothing but that name to commit.
 */
public record PreparedTransactions(String url, String user, TelemetraConfig.Secret password)
        implements Serializable {

    /** PostgreSQL's SQLSTATE for "prepared transaction with identifier ... does not exist". */
    static final String UNDEFINED_OBJECT = "42704";

    /** A new connection; the driver is called directly, as the job jar shades it. */
    public Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password.value());
        Connection c = new org.postgresql.Driver().connect(url, p);
        if (c == null) {
            throw new SQLException("not a PostgreSQL JDBC URL: " + url);
        }
        return c;
    }

    /** The gids of this database's prepared transactions of one sink of one deployment. */
    static List<String> list(Connection c, String deployment, String sink) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT gid FROM pg_prepared_xacts WHERE database = current_database()"
                                + " AND gid LIKE ? ORDER BY prepared")) {
            ps.setString(1, TransactionName.likePattern(deployment, sink));
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }

    /** Every Telemetra transaction prepared in this database, of any deployment or sink. */
    public static List<String> listAll(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT gid FROM pg_prepared_xacts WHERE database ="
                                        + " current_database() AND gid LIKE '"
                                        + TransactionName.PREFIX
                                        + ":%' ORDER BY prepared")) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }

    /** Which of {@code gids} are still prepared. */
    static List<String> stillPrepared(Connection c, List<String> gids) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT gid FROM pg_prepared_xacts WHERE gid = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("text", gids.toArray()));
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }

    /**
     * Commits a prepared transaction; true if this call committed it, false if it was no longer
     * prepared (committed before, e.g. by an earlier attempt of the same commit).
     */
    static boolean commit(Connection c, String gid) throws SQLException {
        return finish(c, "COMMIT PREPARED ", gid);
    }

    /** Rolls back a prepared transaction; false if it was no longer prepared. */
    static boolean rollback(Connection c, String gid) throws SQLException {
        return finish(c, "ROLLBACK PREPARED ", gid);
    }

    private static boolean finish(Connection c, String sql, String gid) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql + quote(gid));
            return true;
        } catch (SQLException e) {
            if (UNDEFINED_OBJECT.equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Whether a live session holds the owner's advisory lock (see {@link TransactionName}). Ask
     * from a session that does not hold it: advisory locks are re-entrant within a session.
     */
    static boolean ownerAlive(Connection c, long owner) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT pg_try_advisory_lock(?) AS free, pg_advisory_unlock(?) FROM"
                                + " (SELECT 1) x")) {
            // try_lock and unlock in one statement: when the lock was free it is released at once
            ps.setLong(1, owner);
            ps.setLong(2, owner);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return !rs.getBoolean(1);
            }
        }
    }

    /**
     * gids hold letters, digits and {@code :_.-} (ours) or base64 (the driver's XA gids): no quote.
     */
    static String quote(String gid) {
        if (!gid.matches("[A-Za-z0-9:_.+/=-]+")) {
            throw new IllegalArgumentException("unexpected transaction name " + gid);
        }
        return "'" + gid + "'";
    }
}
