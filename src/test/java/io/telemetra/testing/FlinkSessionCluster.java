package io.telemetra.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real session cluster of scripts/flink-cluster.sh (a JobManager and a TaskManager process),
 * driven the way a user drives it: the scripts, scripts/flink and the REST API on 127.0.0.1:8081.
 */
public final class FlinkSessionCluster {
    /**
     * The PostgreSQL password every command gets in its environment. The test server trusts local
     * logins, so any password works: this one is easy to grep for in logs and pages.
     */
    public static final String POSTGRES_PASSWORD = "Pg-S3cret-Telemetra-7Q2x";

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private FlinkSessionCluster() {}

    public static void start() throws Exception {
        start(Map.of());
    }

    /** Starts the session cluster with {@code env} added to the processes' environment. */
    public static void start(Map<String, String> env) throws Exception {
        Path out = Files.createTempFile("flink-cluster-start", ".txt");
        assertEquals(
                0,
                sh(List.of("scripts/flink-cluster.sh", "start"), out, 300, env),
                Files.readString(out));
    }

    /** Stops the cluster and checks that none of its processes is left. */
    public static void stop() throws Exception {
        sh(List.of("scripts/flink-cluster.sh", "stop"), null, 60);
        List<String> left =
                ProcessHandle.allProcesses()
                        .map(p -> p.info().commandLine().orElse(""))
                        .filter(
                                c ->
                                        c.contains("StandaloneSessionClusterEntrypoint")
                                                || c.contains(
                                                        "StandaloneApplicationClusterEntryPoint")
                                                || c.contains("TaskManagerRunner"))
                        .toList();
        assertEquals(List.of(), left, "cluster processes left after flink-cluster.sh stop");
    }

    /** SIGKILL to the TaskManager process, returning once it is gone. */
    public static void killTaskManager() throws Exception {
        kill("taskmanager");
    }

    /** SIGKILL to the JobManager process, returning once it is gone. */
    public static void killJobManager() throws Exception {
        kill("jobmanager");
    }

    private static void kill(String process) throws Exception {
        long pid =
                Long.parseLong(
                        Files.readString(Path.of("work/flink/run/" + process + ".pid")).strip());
        ProcessHandle p = ProcessHandle.of(pid).orElseThrow();
        p.destroyForcibly(); // SIGKILL
        p.onExit().get(30, TimeUnit.SECONDS);
    }

    /** A new TaskManager process, as after a machine loss. */
    public static void startTaskManager(Path dir) throws Exception {
        Path out = dir.resolve("start-taskmanager.txt");
        assertEquals(
                0,
                sh(List.of("scripts/flink-cluster.sh", "start-taskmanager"), out, 60),
                Files.readString(out));
    }

    /** A REST API path's body, or "" when the cluster does not answer. */
    public static String get(String path) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:8081" + path))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    /**
     * Runs a command from the repository root with {@link #POSTGRES_PASSWORD} in its environment;
     * its output goes to {@code out} (discarded when null). Returns the exit code, -1 on timeout.
     */
    public static int sh(List<String> cmd, Path out, int seconds) throws Exception {
        return sh(cmd, out, seconds, Map.of());
    }

    public static int sh(List<String> cmd, Path out, int seconds, Map<String, String> env)
            throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.redirectOutput(
                out == null
                        ? ProcessBuilder.Redirect.DISCARD
                        : ProcessBuilder.Redirect.to(out.toFile()));
        pb.environment().put("POSTGRES_PASSWORD", POSTGRES_PASSWORD);
        Process p = pb.start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
