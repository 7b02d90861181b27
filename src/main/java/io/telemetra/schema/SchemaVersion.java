package io.telemetra.schema;

import io.telemetra.StartupException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The database schema version this job writes to, and the start-up check that the database has it.
 * Versions are the files of {@code sql/migrations} ({@code V<n>__<what>.sql}), applied and recorded
 * in {@code flyway_schema_history} by {@link Migrate}.
 */
public final class SchemaVersion {
    /** The newest version in sql/migrations; a test keeps the two equal. */
    public static final int CURRENT = 3;

    public static final String HISTORY_TABLE = "flyway_schema_history";

    /** What to run, in every message that asks for a migration. */
    public static final String HOW_TO_MIGRATE =
            "run the schema migration with the job's PostgreSQL options: ./telemetra migrate"
                + " --postgres.url ... --postgres.user ... (from a checkout), or java -cp"
                + " \"telemetra.jar:$FLINK_HOME/lib/*\" io.telemetra.schema.Migrate with the same"
                + " options (where the job jar and Flink are); the password comes from"
                + " POSTGRES_PASSWORD or --postgres.password-file as for the job";

    private SchemaVersion() {}

    /**
     * The newest version recorded as applied, 0 when the history exists but holds only a baseline,
     * or -1 when the database has no schema history (never migrated).
     */
    public static int recorded(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            try (ResultSet rs =
                    st.executeQuery("SELECT to_regclass('" + HISTORY_TABLE + "') IS NOT NULL")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return -1;
                }
            }
            int newest = 0;
            try (ResultSet rs =
                    st.executeQuery(
                            "SELECT version FROM "
                                    + HISTORY_TABLE
                                    + " WHERE success AND version IS NOT NULL")) {
                while (rs.next()) {
                    newest = Math.max(newest, Integer.parseInt(rs.getString(1).split("\\.")[0]));
                }
            }
            return newest;
        }
    }

    /**
     * Fails when the database is behind this job's schema. A newer one passes this check; whether
     * this job can write to it is then up to the table checks beside it (docs/deployment.md says
     * per version whether an older job still works).
     */
    public static void check(Connection c, String url) throws SQLException {
        int recorded = recorded(c);
        if (recorded < CURRENT) {
            throw new StartupException(
                    "the database at "
                            + url
                            + (recorded < 0
                                    ? " has no recorded schema version (its tables were made by"
                                            + " hand or by an older release)"
                                    : " is at schema version " + recorded)
                            + ", and this job needs version "
                            + CURRENT
                            + "; "
                            + HOW_TO_MIGRATE);
        }
    }
}
