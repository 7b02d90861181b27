package io.telemetra.testing;

import io.telemetra.config.TelemetraConfig;
import io.telemetra.schema.Migrate;
import io.telemetra.schema.SchemaVersion;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.OutputStream;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka broker (Apache Kafka's own KRaft server, in this JVM) and a real PostgreSQL server
 * (embedded binaries, a child process), started once for the whole test run and stopped at its end.
 * Integration tests use it with {@code @ExtendWith(RealInfrastructure.class)}.
 */
public final class RealInfrastructure implements BeforeAllCallback {
    public static final String PG_USER = "postgres";
    public static final String PG_PASSWORD = "postgres";

    private static Resources resources;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        synchronized (RealInfrastructure.class) {
            if (resources == null) {
                resources =
                        context.getRoot()
                                .getStore(ExtensionContext.Namespace.GLOBAL)
                                .getOrComputeIfAbsent(
                                        "telemetra-infra", k -> Resources.start(), Resources.class);
            }
        }
    }

    public static String kafkaBootstrap() {
        return resources.kafka.bootstrapServers();
    }

    public static KafkaClusterTestKit kafka() {
        return resources.kafka;
    }

    public static String postgresUrl() {
        return "jdbc:postgresql://localhost:" + resources.postgres.getPort() + "/postgres";
    }

    public static Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", PG_USER);
        p.setProperty("password", PG_PASSWORD);
        return DriverManager.getConnection(postgresUrl(), p);
    }

    /**
     * Drops the tables and re-creates them with the migrate command, so each test starts from empty
     * tables at the current schema version, after rolling back whatever earlier tests' cancelled
     * jobs left prepared (their row locks would block the drop).
     */
    public static void resetSchema() throws Exception {
        dropSchema(postgresUrl());
        migrate(postgresUrl());
    }

    /** Drops Telemetra's tables and the schema history from the database at {@code url}. */
    public static void dropSchema(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url, PG_USER, PG_PASSWORD);
                Statement st = c.createStatement()) {
            try (java.sql.ResultSet rs =
                    c.createStatement().executeQuery("SELECT gid FROM pg_prepared_xacts")) {
                java.util.List<String> gids = new java.util.ArrayList<>();
                while (rs.next()) {
                    gids.add(rs.getString(1));
                }
                for (String gid : gids) {
                    st.execute("ROLLBACK PREPARED '" + gid + "'");
                }
            }
            st.execute(
                    "DROP TABLE IF EXISTS chat_summary_minute, moments, rejected_events,"
                            + " moment_alerts, moment_alert_targets, "
                            + SchemaVersion.HISTORY_TABLE);
            st.execute("DROP FUNCTION IF EXISTS telemetra_ensure_day_partition(text, date)");
            st.execute("DROP FUNCTION IF EXISTS telemetra_drop_day_partitions_before(text, date)");
            st.execute("DROP FUNCTION IF EXISTS telemetra_partition_key(text)");
        }
    }

    /** Runs the migrate command against {@code url} as the test user; returns the version. */
    public static int migrate(String url) {
        return Migrate.migrate(
                url,
                PG_USER,
                new TelemetraConfig.Secret(PG_PASSWORD),
                new PrintStream(OutputStream.nullOutputStream()));
    }

    public static void createTopic(String name, int partitions) throws Exception {
        try (Admin admin =
                Admin.create(
                        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            awaitLeaders(admin, name, partitions);
        }
    }

    /**
     * Deletes the topic if it exists and creates it empty, so records produced next sit at offsets
     * from 0 (as a savepoint's Kafka source state expects). Deletion is asynchronous in Kafka, so
     * the creation is retried until the old topic is gone.
     */
    public static void recreateTopic(String name, int partitions) throws Exception {
        try (Admin admin =
                Admin.create(
                        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap()))) {
            if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(name)) {
                admin.deleteTopics(List.of(name)).all().get(30, TimeUnit.SECONDS);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                            .all()
                            .get(30, TimeUnit.SECONDS);
                    awaitLeaders(admin, name, partitions);
                    return;
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)
                            || System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(200);
                }
            }
        }
    }

    /**
     * Until every partition of a new topic answers a ListOffsets request at its leader. Right after
     * creation the in-JVM broker may answer a produce request with NOT_LEADER_OR_FOLLOWER although
     * it appended the batch; the producer's retry of that batch is then refused as out of sequence
     * and its records are lost. Waiting here keeps test input from landing in that window.
     */
    private static void awaitLeaders(Admin admin, String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> all = new HashMap<>();
        for (int i = 0; i < partitions; i++) {
            all.put(new TopicPartition(topic, i), OffsetSpec.latest());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                admin.listOffsets(all).all().get(30, TimeUnit.SECONDS);
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            topic + ": partitions not ready after 30 s", e.getCause());
                }
                Thread.sleep(100);
            }
        }
    }

    /**
     * A producer for test input: idempotent with one request in flight, so a retried batch can
     * neither be duplicated nor overtake the next one (each partition's records stay in time order,
     * which the expected windows assume), and {@link VerifiedProducer#flush()} fails if the broker
     * refused anything.
     */
    public static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(4 * 1024 * 1024));
        return new VerifiedProducer(p);
    }

    /** Both servers; closed by JUnit when the whole run ends. */
    static final class Resources implements AutoCloseable {
        final KafkaClusterTestKit kafka;
        final EmbeddedPostgres postgres;

        private Resources(KafkaClusterTestKit kafka, EmbeddedPostgres postgres) {
            this.kafka = kafka;
            this.postgres = postgres;
        }

        static Resources start() {
            try {
                KafkaClusterTestKit kafka =
                        new KafkaClusterTestKit.Builder(
                                        new TestKitNodes.Builder()
                                                .setCombined(true)
                                                .setNumBrokerNodes(1)
                                                .setNumControllerNodes(1)
                                                .build())
                                .setConfigProp("offsets.topic.replication.factor", "1")
                                .setConfigProp("transaction.state.log.replication.factor", "1")
                                .setConfigProp("transaction.state.log.min.isr", "1")
                                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                                .setConfigProp(
                                        "message.max.bytes", Integer.toString(4 * 1024 * 1024))
                                .build();
                kafka.format();
                kafka.startup();
                kafka.waitForReadyBrokers();
                EmbeddedPostgres postgres =
                        EmbeddedPostgres.builder()
                                .setServerConfig("max_prepared_transactions", "40")
                                .start();
                return new Resources(kafka, postgres);
            } catch (Exception e) {
                throw new IllegalStateException(
                        "could not start the test Kafka broker and PostgreSQL", e);
            }
        }

        @Override
        public void close() throws Exception {
            try {
                kafka.close();
            } finally {
                postgres.close();
            }
        }
    }
}
