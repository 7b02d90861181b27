package io.telemetra.tools.demo;

import io.telemetra.TelemetraJob;
import io.telemetra.config.CommandOption;
import io.telemetra.config.TelemetraConfig;
import io.telemetra.schema.Migrate;
import io.telemetra.tools.Args;
import io.telemetra.tools.console.Console;
import io.telemetra.tools.console.ConsoleRoles;
import io.telemetra.tools.generator.Generate;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code ./telemetra demo}: everything on this machine, live. A real Kafka broker (child process),
 * a real PostgreSQL (embedded binaries), the event generator, and the Telemetra job on a local
 * Flink MiniCluster with the web dashboard, plus a live view of the results every 10 s. Ctrl-C or
 * {@code --duration} stops all of it.
 */
public final class Demo {
    static final List<CommandOption> OPTIONS =
            List.of(
                    Args.duration(
                            "duration",
                            null,
                            "stop after D (e.g. 90s, 5min); default: until Ctrl-C"),
                    Args.number("streams", "20", 1, "simulated streams"),
                    Args.number("rate", "200", 1, "events per second"),
                    Args.number(
                            "kafka-port", "9092", 1, "Kafka broker port (the controller uses P+1)"),
                    Args.number("postgres-port", "5432", 1, "PostgreSQL port"),
                    Args.number(
                            "dashboard-port", "8081", 1, "Flink web dashboard and REST API port"),
                    Args.number("console-port", "8090", 1, "Telemetra console port"),
                    Args.text(
                            "data-dir",
                            "telemetra-demo",
                            "where Kafka, PostgreSQL and logs keep their data"),
                    Args.flag("clean", "delete the data folder when the demo ends"),
                    Args.flag(
                            "no-generator",
                            "do not generate events: produce into the topics yourself"));

    public static final String USAGE = Args.usage("Usage: ./telemetra demo [options]", OPTIONS);

    private final Args args;
    private final PrintStream out;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);

    /** Where the scorecard reads from at the stop; null until PostgreSQL is up. */
    private volatile String jdbcUrl;

    private volatile Path labelsFile;
    private volatile Instant startedAt;
    private volatile Scorecard.Snapshot lastSnapshot;

    /** The demo's console; null until PostgreSQL is up. */
    private volatile Console console;

    /** The demo database's console roles' password (a local, throwaway database). */
    static final String CONSOLE_PASSWORD = "telemetra-demo";

    public Demo(String[] argv, PrintStream out) {
        this.args = new Args(argv, OPTIONS);
        this.out = out;
    }

    public void run() throws Exception {
        int kafkaPort = (int) args.longValue("kafka-port");
        int pgPort = (int) args.longValue("postgres-port");
        int webPort = (int) args.longValue("dashboard-port");
        requireFree(kafkaPort, "Kafka", "--kafka-port");
        requireFree(kafkaPort + 1, "the Kafka controller (Kafka port + 1)", "--kafka-port");
        requireFree(pgPort, "PostgreSQL", "--postgres-port");
        requireFree(webPort, "the Flink dashboard", "--dashboard-port");
        int consolePort = (int) args.longValue("console-port");
        requireFree(consolePort, "the Telemetra console", "--console-port");
        Path dataDir = Path.of(args.string("data-dir")).toAbsolutePath();
        Files.createDirectories(dataDir);
        Path log4j = Path.of("src/tools/log4j2-tools.properties").toAbsolutePath();

        Thread hook = new Thread(this::shutdown, "telemetra-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        long t0 = System.nanoTime();
        try {
            out.println("Starting PostgreSQL on 127.0.0.1:" + pgPort + " ...");
            EmbeddedPostgres pg =
                    EmbeddedPostgres.builder()
                            .setPort(pgPort)
                            .setDataDirectory(dataDir.resolve("postgres"))
                            .setCleanDataDirectory(false)
                            .setServerConfig("max_prepared_transactions", "20")
                            .setServerConfig("listen_addresses", "127.0.0.1")
                            .start();
            toClose.add(pg);
            String jdbcUrl = "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres";
            this.jdbcUrl = jdbcUrl;
            this.labelsFile = dataDir.resolve("labels.jsonl");
            // moments written before this (an earlier run's, kept in the data folder) are not ours
            this.startedAt = Instant.now();
            Migrate.migrate(
                    jdbcUrl,
                    "postgres",
                    new TelemetraConfig.Secret("postgres"),
                    new PrintStream(OutputStream.nullOutputStream()));
            // the console reads with its read-only role, as in production
            try (Connection owner = DriverManager.getConnection(jdbcUrl, "postgres", "postgres")) {
                ConsoleRoles.create(owner, CONSOLE_PASSWORD, CONSOLE_PASSWORD);
            }
            console =
                    new Console(
                            jdbcUrl,
                            "telemetra_console",
                            new TelemetraConfig.Secret(CONSOLE_PASSWORD),
                            "127.0.0.1",
                            consolePort);
            console.start();

            out.println("Starting Kafka on 127.0.0.1:" + kafkaPort + " ...");
            LocalKafka kafka = new LocalKafka(dataDir.resolve("kafka"), kafkaPort, kafkaPort + 1);
            toClose.add(kafka);
            kafka.start(log4j);
            kafka.createTopic("telemetra.events.chat", 2);
            kafka.createTopic("telemetra.events.viewer", 1);

            Generate generator = null;
            if (!args.flag("no-generator")) {
                // three minutes of history first, so streams have a baseline when the live part
                // begins;
                // the first planted scenario comes 20 s into the live part
                generator =
                        new Generate(
                                new String[] {
                                    "--bootstrap-servers",
                                    kafka.bootstrap(),
                                    "--rate",
                                    args.string("rate"),
                                    "--streams",
                                    args.string("streams"),
                                    "--backfill",
                                    "180s",
                                    "--first-scenario",
                                    "200s",
                                    "--scenario-every",
                                    "90s",
                                    "--labels",
                                    dataDir.resolve("labels.jsonl").toString(),
                                    "--progress-every",
                                    "0s"
                                },
                                out);
                Thread g = new Thread(generator, "generator");
                g.setDaemon(true);
                g.start();
                toClose.add(generator);
            }

            out.println("Starting Flink with the web dashboard on 127.0.0.1:" + webPort + " ...");
            Configuration flink = new Configuration();
            flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
            flink.set(RestOptions.ADDRESS, "127.0.0.1");
            flink.set(RestOptions.PORT, webPort);
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
            env.setParallelism(2);
            TelemetraConfig cfg =
                    TelemetraConfig.load(
                            new String[] {
                                "--kafka.bootstrap-servers",
                                kafka.bootstrap(),
                                "--postgres.url",
                                jdbcUrl,
                                "--postgres.user",
                                "postgres",
                                "--checkpoint.interval",
                                "5s",
                                "--checkpoint.dir",
                                dataDir.resolve("checkpoints").toUri().toString(),
                                "--kafka.group-id",
                                "telemetra-demo"
                            },
                            Map.of("POSTGRES_PASSWORD", "postgres"));
            TelemetraJob.build(env, cfg);
            JobClient job = env.executeAsync("Telemetra (demo)");
            toClose.add(0, () -> job.cancel().get(30, TimeUnit.SECONDS));

            out.printf(
                    "%nTelemetra is running (started in %.0f s).%n",
                    (System.nanoTime() - t0) / 1e9);
            out.println("  Console:          " + console.address());
            out.println("  Flink dashboard:  http://localhost:" + webPort);
            out.println(
                    "  PostgreSQL:       psql \"postgresql://postgres@127.0.0.1:"
                            + pgPort
                            + "/postgres\"");
            out.println(
                    "  Kafka:            "
                            + kafka.bootstrap()
                            + " (topics telemetra.events.chat, telemetra.events.viewer)");
            out.println("  Planted scenarios: " + dataDir.resolve("labels.jsonl"));
            out.println("  Logs:             " + dataDir);
            out.println(
                    "Rows appear once the first windows close and a checkpoint commits them (about"
                            + " 20 s).");
            out.println(
                    "Stop with Ctrl-C"
                            + (args.has("duration")
                                    ? " (or wait " + args.string("duration") + ")"
                                    : "")
                            + ".");

            LiveView view = new LiveView(jdbcUrl, out);
            Duration duration =
                    args.has("duration") ? args.duration("duration") : Duration.ofDays(3650);
            long end = System.nanoTime() + duration.toNanos();
            while (System.nanoTime() < end) {
                if (stopped.await(
                        Math.min(10_000, (end - System.nanoTime()) / 1_000_000),
                        TimeUnit.MILLISECONDS)) {
                    return;
                }
                if (System.nanoTime() < end) {
                    view.print();
                    refreshSnapshot();
                }
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // Ctrl-C: the hook is doing the work
            }
            shutdown();
        }
    }

    /** Stops the job, the generator, Kafka and PostgreSQL, in that order; safe to call twice. */
    private synchronized void shutdown() {
        if (stopped.getCount() == 0 && toClose.isEmpty()) {
            return;
        }
        stopped.countDown();
        if (!toClose.isEmpty()) {
            out.println("Stopping ...");
        }
        // the job first (it writes to the others), then the generator, then the servers
        List<AutoCloseable> order = new ArrayList<>(toClose);
        toClose.clear();
        AutoCloseable job =
                order.stream()
                        .filter(
                                c ->
                                        !(c instanceof EmbeddedPostgres)
                                                && !(c instanceof LocalKafka)
                                                && !(c instanceof Generate))
                        .findFirst()
                        .orElse(null);
        closeQuietly(job);
        if (console != null) {
            console.close();
        }
        order.stream().filter(c -> c instanceof Generate).forEach(this::closeQuietly);
        printScorecard();
        order.stream().filter(c -> c instanceof LocalKafka).forEach(this::closeQuietly);
        order.stream().filter(c -> c instanceof EmbeddedPostgres).forEach(this::closeQuietly);
        if (args.flag("clean")) {
            deleteRecursively(Path.of(args.string("data-dir")));
        }
        out.println("Stopped.");
    }

    /**
     * The planted scenarios against the moments. Read again at the stop; on Ctrl-C PostgreSQL may
     * already be stopping (the terminal signals it too, and its library stops it from a shutdown
     * hook), so the newest snapshot the live view took stands in, and says when it was read.
     */
    private void printScorecard() {
        if (jdbcUrl == null) {
            return;
        }
        try {
            Scorecard.read(labelsFile, jdbcUrl, startedAt).lines().forEach(out::println);
        } catch (Exception e) {
            Scorecard.Snapshot last = lastSnapshot;
            if (last == null) {
                out.println("  (no scorecard: " + e.getMessage() + ")");
                return;
            }
            out.println(
                    "  (PostgreSQL had stopped ("
                            + e.getMessage()
                            + "): scorecard as read at "
                            + last.readAt().truncatedTo(ChronoUnit.SECONDS)
                            + ")");
            last.lines().forEach(out::println);
        }
    }

    /** Keeps a recent scorecard snapshot for a stop that finds PostgreSQL gone. */
    private void refreshSnapshot() {
        try {
            lastSnapshot = Scorecard.read(labelsFile, jdbcUrl, startedAt);
        } catch (Exception e) {
            // the live view reports an unreachable database; the stop reads again anyway
        }
    }

    private void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            out.println("  (while stopping: " + e.getMessage() + ")");
        }
    }

    private static void requireFree(int port, String what, String option) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            s.setReuseAddress(true);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "port "
                            + port
                            + " ("
                            + what
                            + ") is already in use; choose another with "
                            + option
                            + " PORT, or stop what is listening there");
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: the folder is only scratch data
        }
    }
}
