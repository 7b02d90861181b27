package io.telemetra.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.StartupException;
import io.telemetra.config.TelemetraConfig;
import io.telemetra.schema.Migrate;
import io.telemetra.schema.Partitions;
import io.telemetra.schema.SchemaVersion;
import io.telemetra.testing.RealInfrastructure;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The DDL, the predecessor's sample queries, and the start-up checks against a real PostgreSQL. */
@ExtendWith(RealInfrastructure.class)
class PostgresSchemaIT {

    private static TelemetraConfig config(String url, String password, String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "--postgres.url";
        all[1] = url;
        all[2] = "--postgres.user";
        all[3] = RealInfrastructure.PG_USER;
        System.arraycopy(args, 0, all, 4, args.length);
        return TelemetraConfig.load(all, Map.of("POSTGRES_PASSWORD", password));
    }

    /** Runs the start-up check against the shared test database and returns its refusal. */
    private static StartupException checkSharedDatabase() {
        TelemetraConfig cfg =
                config(RealInfrastructure.postgresUrl(), RealInfrastructure.PG_PASSWORD);
        return assertThrows(StartupException.class, () -> PostgresCheck.verify(cfg, 1, true));
    }

    @BeforeEach
    void schema() throws Exception {
        RealInfrastructure.resetSchema();
    }

    @Test
    void anEmptyDatabaseGetsEveryVersionAndASecondRunChangesNothing() throws Exception {
        RealInfrastructure.dropSchema(RealInfrastructure.postgresUrl());
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        assertEquals(
                SchemaVersion.CURRENT,
                Migrate.migrate(
                        RealInfrastructure.postgresUrl(),
                        RealInfrastructure.PG_USER,
                        new TelemetraConfig.Secret(RealInfrastructure.PG_PASSWORD),
                        new PrintStream(first, true, StandardCharsets.UTF_8)));
        assertTrue(
                first.toString(StandardCharsets.UTF_8)
                        .contains("(3 version(s) applied now, none before)"),
                first.toString(StandardCharsets.UTF_8));
        assertEquals(List.of("1", "2", "3"), history());
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        Migrate.migrate(
                RealInfrastructure.postgresUrl(),
                RealInfrastructure.PG_USER,
                new TelemetraConfig.Secret(RealInfrastructure.PG_PASSWORD),
                new PrintStream(second, true, StandardCharsets.UTF_8));
        assertTrue(
                second.toString(StandardCharsets.UTF_8)
                        .contains("(0 version(s) applied now, 3 before)"),
                second.toString(StandardCharsets.UTF_8));
        assertEquals(List.of("1", "2", "3"), history());
        PostgresCheck.verify(
                config(RealInfrastructure.postgresUrl(), RealInfrastructure.PG_PASSWORD), 2, true);
    }

    @Test
    void tablesMadeByHandFromTheOldScriptAreRecordedAndKeepTheirRows() throws Exception {
        RealInfrastructure.dropSchema(RealInfrastructure.postgresUrl());
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement()) {
            // 0.2.0's tables without a history, as its sql/001_schema.sql by hand left them
            st.execute(
                    Files.readString(
                            Path.of("sql/migrations/V1__telemetra_schema.sql"),
                            StandardCharsets.UTF_8));
            st.execute(
                    "INSERT INTO moments (stream_id, \"timestamp\", moment_type) VALUES ('s',"
                            + " now(), 'chat_spike')");
        }
        StartupException refused = checkSharedDatabase();
        // 0.2.0's rejected_events key lacks the partition key of version 2; either way the
        // message names the command
        assertTrue(refused.getMessage().contains("./telemetra migrate"), refused.getMessage());
        assertEquals(
                SchemaVersion.CURRENT,
                RealInfrastructure.migrate(RealInfrastructure.postgresUrl()));
        assertEquals(List.of("0", "1", "2", "3"), history());
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM moments")) {
            rs.next();
            assertEquals(1, rs.getInt(1));
        }
        PostgresCheck.verify(
                config(RealInfrastructure.postgresUrl(), RealInfrastructure.PG_PASSWORD), 2, true);
    }

    @Test
    void theJobJarMigratesFromTheCommandLineWithThePasswordFromTheEnvironment() throws Exception {
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS migrate_from_jar");
            st.execute("CREATE DATABASE migrate_from_jar");
        }
        String url = RealInfrastructure.postgresUrl().replaceAll("/[^/]+$", "/migrate_from_jar");
        // the shaded job jar beside Flink's own jars, as on a cluster (java -cp
        // telemetra.jar:$FLINK_HOME/lib/*); the test's classes stay out of it
        StringBuilder cp = new StringBuilder("target/telemetra.jar");
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.contains("/org/apache/flink/") && entry.endsWith(".jar")) {
                cp.append(File.pathSeparator).append(entry);
            }
        }
        ProcessBuilder pb =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                cp.toString(),
                                "io.telemetra.schema.Migrate",
                                "--postgres.url",
                                url,
                                "--postgres.user",
                                RealInfrastructure.PG_USER)
                        .redirectErrorStream(true);
        pb.environment().put("POSTGRES_PASSWORD", RealInfrastructure.PG_PASSWORD);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), output);
        assertTrue(
                output.contains(
                        "PostgreSQL schema at "
                                + url
                                + ": version "
                                + SchemaVersion.CURRENT
                                + " ("
                                + SchemaVersion.CURRENT
                                + " version(s) applied now"),
                output);
        try (Connection c =
                        java.sql.DriverManager.getConnection(
                                url, RealInfrastructure.PG_USER, RealInfrastructure.PG_PASSWORD);
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT count(*) FROM pg_tables WHERE tablename IN"
                                    + " ('chat_summary_minute', 'moments', 'rejected_events')")) {
            rs.next();
            assertEquals(3, rs.getInt(1));
        }
    }

    /** The versions in the schema history, oldest first (0 is a baseline). */
    private static List<String> history() throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT version FROM "
                                        + SchemaVersion.HISTORY_TABLE
                                        + " WHERE success ORDER BY installed_rank")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void everySampleQueryOfTheSparkGuideRunsUnchanged() throws Exception {
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement()) {
            st.execute(
                    "INSERT INTO chat_summary_minute (stream_id, window_start, window_end,"
                        + " chat_count, unique_chatters, avg_sentiment, positive_count,"
                        + " negative_count, chat_rate, avg_viewers, top_emotes, z_score,"
                        + " is_anomaly) VALUES ('s1', now() - interval '5 minutes', now() -"
                        + " interval '4 minutes', 10, 4, 0.5, 6, 1, 0.17, 100, ARRAY['LUL','Pog'],"
                        + " 1.2, false)");
            st.execute(
                    "INSERT INTO moments (stream_id, \"timestamp\", moment_type, description,"
                            + " intensity, metadata) VALUES ('s1', now() - interval '4 minutes',"
                            + " 'chat_spike', 'Chat spike', 4.2, '{\"chat_count\": 10}')");
            String all =
                    Files.readString(Path.of("sql/sample_queries.sql"), StandardCharsets.UTF_8)
                            .lines()
                            .filter(l -> !l.strip().startsWith("--"))
                            .reduce("", (a, b) -> a + "\n" + b);
            int ran = 0;
            for (String query : all.split(";")) {
                String sql = query.strip();
                if (sql.isEmpty()) {
                    continue;
                }
                try (ResultSet rs = st.executeQuery(sql)) {
                    assertTrue(rs.next(), "each sample query returns the sample data:\n" + sql);
                }
                ran++;
            }
            assertEquals(8, ran, "the guide's 8 queries");
        }
    }

    @Test
    void missingTableIsNamedWithTheCommandToRun() throws Exception {
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement()) {
            st.execute("DROP TABLE moments");
        }
        StartupException e = checkSharedDatabase();
        assertEquals(
                "table moments does not exist; " + SchemaVersion.HOW_TO_MIGRATE, e.getMessage());
    }

    @Test
    void sparkEraTableWithoutUniqueKeyIsRefused() throws Exception {
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement()) {
            st.execute(
                    "ALTER TABLE chat_summary_minute DROP CONSTRAINT"
                            + " chat_summary_minute_stream_window");
        }
        StartupException e = checkSharedDatabase();
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "table chat_summary_minute has no unique key on (stream_id,"
                                        + " window_start)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("./telemetra migrate"), e.getMessage());
    }

    @Test
    void aSparkEraDatabaseIsConvertedByTheMigrateCommand() throws Exception {
        String spark =
                """
                DROP TABLE IF EXISTS chat_summary_minute, moments, rejected_events, flyway_schema_history;
                CREATE TABLE chat_summary_minute (id SERIAL PRIMARY KEY, stream_id VARCHAR(255) NOT NULL,
                  window_start TIMESTAMP NOT NULL, window_end TIMESTAMP NOT NULL, chat_count INTEGER DEFAULT 0,
                  unique_chatters INTEGER DEFAULT 0, avg_sentiment DOUBLE PRECISION, positive_count INTEGER DEFAULT 0,
                  negative_count INTEGER DEFAULT 0, chat_rate DOUBLE PRECISION, avg_viewers DOUBLE PRECISION,
                  top_emotes TEXT[], z_score DOUBLE PRECISION, is_anomaly BOOLEAN DEFAULT FALSE,
                  processed_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
                CREATE TABLE moments (id SERIAL PRIMARY KEY, stream_id VARCHAR(255) NOT NULL, timestamp TIMESTAMP NOT NULL,
                  moment_type VARCHAR(50) NOT NULL, description TEXT, intensity DOUBLE PRECISION, metadata JSONB,
                  detected_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
                CREATE INDEX idx_chat_summary_stream ON chat_summary_minute(stream_id, window_start DESC);
                CREATE INDEX idx_moments_stream ON moments(stream_id, timestamp DESC);
                INSERT INTO chat_summary_minute (stream_id, window_start, window_end, chat_count)
                  VALUES ('s', '2026-01-01 00:00:00', '2026-01-01 00:01:00', 1),
                         ('s', '2026-01-01 00:00:00', '2026-01-01 00:01:00', 2);
                """;
        try (Connection c = RealInfrastructure.connect();
                Statement st = c.createStatement()) {
            st.execute(spark);
            assertTrue(checkSharedDatabase().getMessage().contains("./telemetra migrate"));
            // the Spark job's whole history is kept (the default retention would drop 2026-01-01)
            assertEquals(
                    SchemaVersion.CURRENT,
                    Migrate.migrate(
                            RealInfrastructure.postgresUrl(),
                            RealInfrastructure.PG_USER,
                            new TelemetraConfig.Secret(RealInfrastructure.PG_PASSWORD),
                            Partitions.tables(Duration.ZERO, Duration.ZERO, Duration.ZERO),
                            new PrintStream(OutputStream.nullOutputStream())));
            assertEquals(List.of("0", "1", "2", "3"), history());
            ResultSet rs =
                    st.executeQuery(
                            "SELECT count(*), max(chat_count), min(window_start) = TIMESTAMPTZ"
                                    + " '2026-01-01 00:00:00Z' FROM chat_summary_minute");
            rs.next();
            assertEquals(1, rs.getInt(1), "duplicate windows from the Spark job collapsed to one");
            assertEquals(2, rs.getInt(2), "the newest row kept");
            assertTrue(rs.getBoolean(3), "TIMESTAMP values read as UTC");
        }
        PostgresCheck.verify(
                config(RealInfrastructure.postgresUrl(), RealInfrastructure.PG_PASSWORD), 2, true);
    }

    @Test
    void wrongPasswordSaysWhichSettingToCheckWithoutPrintingIt() throws Exception {
        // the shared server trusts every local login, so this one checks passwords
        try (EmbeddedPostgres pg =
                        EmbeddedPostgres.builder()
                                .setServerConfig("password_encryption", "scram-sha-256")
                                .start();
                Connection c = pg.getPostgresDatabase().getConnection();
                Statement st = c.createStatement()) {
            st.execute("CREATE ROLE app LOGIN PASSWORD 'right-one'");
            ResultSet hbaFile = st.executeQuery("SELECT current_setting('hba_file')");
            hbaFile.next();
            Files.writeString(
                    Path.of(hbaFile.getString(1)),
                    "host all app 127.0.0.1/32 scram-sha-256\n"
                            + "host all all 127.0.0.1/32 trust\n"
                            + "host all all ::1/128 trust\n"
                            + "local all all trust\n");
            st.execute("SELECT pg_reload_conf()");
            String url = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres";
            TelemetraConfig cfg =
                    TelemetraConfig.load(
                            new String[] {"--postgres.url", url, "--postgres.user", "app"},
                            Map.of("POSTGRES_PASSWORD", "wrong-secret-value"));
            StartupException e =
                    assertThrows(StartupException.class, () -> PostgresCheck.verify(cfg, 1, true));
            assertTrue(
                    e.getMessage()
                            .contains("check --postgres.user (env POSTGRES_USER) and the password"),
                    e.getMessage());
            assertTrue(!e.getMessage().contains("wrong-secret-value"));
        }
    }

    @Test
    void disabledPreparedTransactionsAreRefusedForExactlyOnceOnly() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) { // PostgreSQL's default: 0
            String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
            Migrate.migrate(
                    url,
                    "postgres",
                    new TelemetraConfig.Secret(""),
                    new PrintStream(OutputStream.nullOutputStream()));
            StartupException e =
                    assertThrows(
                            StartupException.class,
                            () -> PostgresCheck.verify(config(url, "x"), 2, true));
            assertTrue(
                    e.getMessage()
                            .startsWith(
                                    "PostgreSQL has max_prepared_transactions = 0, but the"
                                            + " exactly-once sink needs at least 12"),
                    e.getMessage());
            assertTrue(
                    e.getMessage().contains("--sink.delivery (env SINK_DELIVERY) at-least-once"));
            PostgresCheck.verify(config(url, "x", "--sink.delivery", "at-least-once"), 2, true);
        }
    }

    @Test
    void unreachableDatabaseSaysWhatToCheck() {
        StartupException e =
                assertThrows(
                        StartupException.class,
                        () ->
                                PostgresCheck.verify(
                                        config("jdbc:postgresql://127.0.0.1:1/telemetra", "x"),
                                        1,
                                        true));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "cannot connect to PostgreSQL at"
                                        + " jdbc:postgresql://127.0.0.1:1/telemetra"),
                e.getMessage());
        assertTrue(e.getMessage().contains("check --postgres.url (env POSTGRES_URL)"));
    }
}
