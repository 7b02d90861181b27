package io.telemetra.tools.demo;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A real Apache Kafka broker (KRaft, one combined broker/controller node) run as a child process
 * from the Maven Central jars on this JVM's classpath, with its data under the demo's folder.
 */
public final class LocalKafka implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final int controllerPort;
    private String saslUser;
    private String saslPassword;
    private Process process;

    public LocalKafka(Path dir, int port, int controllerPort) {
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /** Clients must authenticate with SASL/PLAIN as this user (the tests of Kafka security). */
    public LocalKafka withSasl(String user, String password) {
        this.saslUser = user;
        this.saslPassword = password;
        return this;
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** The client settings this broker needs: none, or SASL/PLAIN. */
    public Map<String, Object> clientProperties() {
        if (saslUser == null) {
            return Map.of();
        }
        return Map.of(
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", jaas(saslUser, saslPassword, ""));
    }

    private static String jaas(String user, String password, String users) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                + user
                + "\" password=\""
                + password
                + "\""
                + users
                + ";";
    }

    private String listenerSettings() {
        if (saslUser == null) {
            return String.join(
                    "\n",
                    "listeners=PLAINTEXT://127.0.0.1:"
                            + port
                            + ",CONTROLLER://127.0.0.1:"
                            + controllerPort,
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        }
        return String.join(
                "\n",
                "listeners=SASL_PLAINTEXT://127.0.0.1:"
                        + port
                        + ",CONTROLLER://127.0.0.1:"
                        + controllerPort,
                "advertised.listeners=SASL_PLAINTEXT://127.0.0.1:" + port,
                "listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=SASL_PLAINTEXT",
                "sasl.enabled.mechanisms=PLAIN",
                "sasl.mechanism.inter.broker.protocol=PLAIN",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config="
                        + jaas(
                                saslUser,
                                saslPassword,
                                " user_" + saslUser + "=\"" + saslPassword + "\""));
    }

    public void start(Path log4jConfig) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path props = dir.resolve("server.properties");
        Files.writeString(
                props,
                String.join(
                        "\n",
                        "process.roles=broker,controller",
                        "node.id=1",
                        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                        listenerSettings(),
                        "controller.listener.names=CONTROLLER",
                        "log.dirs=" + dir.resolve("data").toAbsolutePath(),
                        "offsets.topic.replication.factor=1",
                        "transaction.state.log.replication.factor=1",
                        "transaction.state.log.min.isr=1",
                        "group.initial.rebalance.delay.ms=0",
                        "num.partitions=2",
                        ""),
                StandardCharsets.UTF_8);
        if (!Files.exists(dir.resolve("data").resolve("meta.properties"))) {
            Process format =
                    java(
                                    log4jConfig,
                                    "kafka.tools.StorageTool",
                                    "format",
                                    "-t",
                                    Uuid.randomUuid().toString(),
                                    "-c",
                                    props.toString())
                            .start();
            if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
                throw new IllegalStateException(
                        "formatting Kafka's storage failed; see " + dir.resolve("kafka.log"));
            }
        }
        process = java(log4jConfig, "kafka.Kafka", props.toString()).start();
        waitUntilReady();
    }

    private ProcessBuilder java(Path log4jConfig, String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xmx512m");
        cmd.add("-Dlog4j2.configurationFile=" + log4jConfig.toAbsolutePath());
        cmd.add("-Dtelemetra.log.file=" + dir.resolve("kafka.log").toAbsolutePath());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        File log = dir.resolve("kafka.out").toFile();
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log));
    }

    private void waitUntilReady() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "the Kafka broker exited with "
                                + process.exitValue()
                                + "; see "
                                + dir.resolve("kafka.out"));
            }
            try (Admin admin = admin()) {
                admin.listTopics().names().get(5, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                last = e;
                Thread.sleep(500);
            }
        }
        throw new IllegalStateException(
                "the Kafka broker did not become ready within 60 s: " + last);
    }

    public Admin admin() {
        Map<String, Object> props = new java.util.HashMap<>(clientProperties());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(props);
    }

    public void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = admin()) {
            if (!admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(name)) {
                admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    /** Stops the broker (SIGTERM, then SIGKILL after 30 s); {@link #start} runs it again. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy(); // SIGTERM: the broker shuts down cleanly
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
