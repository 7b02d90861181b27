package io.telemetra.schema;

import io.telemetra.StartupException;
import io.telemetra.config.CommandLine;
import io.telemetra.config.CommandOption;
import io.telemetra.config.ConfigException;
import io.telemetra.config.Declared;
import io.telemetra.config.Option;
import io.telemetra.config.OptionType;
import io.telemetra.config.TelemetraConfig;
import io.telemetra.config.TelemetraConfig.Secret;
import io.telemetra.sink.PostgresCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Brings a PostgreSQL database to {@link SchemaVersion#CURRENT}: {@code ./telemetra migrate} or
 * {@code java -cp telemetra.jar io.telemetra.schema.Migrate}, with the job's {@code --postgres.*}
 * options. Safe to run any number of times, and while the job runs (each version is one
 * transaction).
 *
 * <ul>
 *   <li>an empty database gets every version in order;
 *   <li>a database with tables but no schema history (made by hand from 0.2.0's SQL) is recorded as
 *       a baseline, then version 1 runs over it and changes nothing it already has;
 *   <li>a database made by the Spark job (its TIMESTAMP columns, no unique keys) is converted first
 *       (sql/spark/convert_spark_tables.sql, one transaction), then treated as above;
 *   <li>a database at the current version is left alone.
 * </ul>
 */
public final class Migrate {
    static final CommandOption SUMMARY_RETENTION =
            retention(
                    "chat-summary",
                    Partitions.SUMMARY_RETENTION,
                    "days of chat_summary_minute kept (whole day partitions dropped)");
    static final CommandOption MOMENT_RETENTION =
            retention("moments", Partitions.MOMENT_RETENTION, "days of moments kept");
    static final CommandOption REJECTION_RETENTION =
            retention(
                    "rejected-events",
                    Partitions.REJECTION_RETENTION,
                    "days of rejected_events kept (raw payloads carry user names and messages)");

    static final List<Declared> OPTIONS =
            List.of(
                    Option.POSTGRES_URL,
                    Option.POSTGRES_USER,
                    Option.POSTGRES_PASSWORD_FILE,
                    SUMMARY_RETENTION,
                    MOMENT_RETENTION,
                    REJECTION_RETENTION);

    private static CommandOption retention(String table, Duration dflt, String help) {
        return new CommandOption(
                "retention." + table,
                dflt.toDays() + "d",
                OptionType.DURATION,
                help + "; 0d keeps them forever");
    }

    public static final String USAGE =
            "Usage: migrate [options]\n"
                    + "Brings the database to schema version "
                    + SchemaVersion.CURRENT
                    + " (sql/migrations), converting a Spark-era database first, then creates the"
                    + " day partitions ahead and drops those past each table's retention. Run it on"
                    + " every deployment and once a day. The password comes from POSTGRES_PASSWORD"
                    + " or --postgres.password-file, never from an argument.\n"
                    + CommandLine.usage(OPTIONS);

    private Migrate() {}

    public static void main(String[] args) {
        if (List.of(args).contains("--help")) {
            System.out.println(USAGE);
            return;
        }
        try {
            run(args, System.out);
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("migrate: " + e.getMessage());
            System.exit(2);
        } catch (StartupException e) {
            System.err.println("migrate failed: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Reads the options as the job does, then {@link #migrate}. */
    public static int run(String[] args, PrintStream out) {
        CommandLine v = new CommandLine(args, OPTIONS);
        return migrate(
                v.get(Option.POSTGRES_URL),
                v.get(Option.POSTGRES_USER),
                TelemetraConfig.postgresPassword(v, System.getenv()),
                Partitions.tables(
                        v.get(SUMMARY_RETENTION),
                        v.get(MOMENT_RETENTION),
                        v.get(REJECTION_RETENTION)),
                out);
    }

    /** {@link #migrate(String, String, Secret, List, PrintStream)} with the default retention. */
    public static int migrate(String url, String user, Secret password, PrintStream out) {
        return migrate(
                url,
                user,
                password,
                Partitions.tables(
                        Partitions.SUMMARY_RETENTION,
                        Partitions.MOMENT_RETENTION,
                        Partitions.REJECTION_RETENTION),
                out);
    }

    /**
     * @return the schema version the database is at afterwards
     */
    public static int migrate(
            String url,
            String user,
            Secret password,
            List<Partitions.Table> tables,
            PrintStream out) {
        try (Connection c = PostgresCheck.connect(url, user, password)) {
            int before = SchemaVersion.recorded(c);
            if (before < 0 && madeBySpark(c)) {
                out.println(
                        "Found the Spark job's tables without a schema history: converting them"
                                + " (sql/spark/convert_spark_tables.sql, one transaction) ...");
                try (Statement st = c.createStatement()) {
                    st.execute(resource("db/spark/convert_spark_tables.sql"));
                }
            }
        } catch (SQLException e) {
            throw new StartupException(
                    "schema migration of "
                            + url
                            + " failed: "
                            + e.getMessage()
                            + "; nothing of the failed step was kept (it runs in one transaction):"
                            + " fix the cause and run migrate again");
        }
        try {
            MigrateResult result =
                    Flyway.configure(Migrate.class.getClassLoader())
                            .dataSource(url, user, password.value())
                            .table(SchemaVersion.HISTORY_TABLE)
                            .locations("classpath:db/migrations")
                            // tables without a history: record them as version 0, then run 1..n
                            // over them (every version is idempotent against 0.2.0's tables)
                            .baselineOnMigrate(true)
                            .baselineVersion("0")
                            .baselineDescription("tables that existed before versioning")
                            .load()
                            .migrate();
            String now = result.targetSchemaVersion;
            if (now == null) {
                now = result.initialSchemaVersion;
            }
            out.printf(
                    "PostgreSQL schema at %s: version %s (%d version(s) applied now, %s before)%n",
                    url,
                    now,
                    result.migrationsExecuted,
                    result.initialSchemaVersion == null ? "none" : result.initialSchemaVersion);
            int version = Integer.parseInt(now.split("\\.")[0]);
            if (version >= 2) {
                try (Connection c = PostgresCheck.connect(url, user, password)) {
                    Partitions.maintain(c, tables, out);
                } catch (SQLException e) {
                    throw new StartupException(
                            "partition maintenance of "
                                    + url
                                    + " failed: "
                                    + e.getMessage()
                                    + "; the schema itself is at version "
                                    + version
                                    + ", and each partition is created or dropped on its own, so"
                                    + " run migrate again once the cause is fixed");
                }
            }
            return version;
        } catch (FlywayException e) {
            // Flyway's messages name the URL and the statement, never the password
            throw new StartupException(
                    "schema migration of "
                            + url
                            + " failed: "
                            + e.getMessage()
                            + "; the failed version was rolled back (each runs in one"
                            + " transaction): fix the cause and run migrate again");
        }
    }

    /**
     * The Spark job's DDL made TIMESTAMP (without time zone) columns; every version has
     * TIMESTAMPTZ.
     */
    private static boolean madeBySpark(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT data_type FROM information_schema.columns WHERE"
                                    + " table_schema = current_schema() AND table_name ="
                                    + " 'chat_summary_minute' AND column_name = 'window_start'")) {
            return rs.next() && rs.getString(1).equals("timestamp without time zone");
        }
    }

    private static String resource(String path) {
        try (InputStream in = Migrate.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path, e);
        }
    }
}
