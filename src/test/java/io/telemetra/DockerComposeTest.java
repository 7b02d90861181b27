package io.telemetra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * No Docker engine runs here, so docker-compose.yml, its session overlay and the Dockerfile are
 * validated by reading them: the services a user needs, images pinned (Flink's to the pom's
 * version), ports on 127.0.0.1, health checks gating start-up order, restarts, volumes, and the
 * password kept out of every command line.
 */
class DockerComposeTest {
    static Map<String, Map<String, Object>> services;
    static Map<String, Map<String, Object>> session;
    static String flinkVersion;
    static String projectVersion;
    static String dockerfile;

    @BeforeAll
    static void load() throws Exception {
        services = services("docker-compose.yml");
        session = services("docker-compose.session.yml");
        String pom = Files.readString(Path.of("pom.xml"));
        flinkVersion = first(pom, "<flink.version>([^<]+)</flink.version>");
        projectVersion =
                first(pom, "<artifactId>telemetra</artifactId>\\s*<version>([^<]+)</version>");
        dockerfile = Files.readString(Path.of("Dockerfile"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services(String file) throws Exception {
        Map<String, Object> compose =
                (Map<String, Object>)
                        new Load(LoadSettings.builder().build())
                                .loadFromString(Files.readString(Path.of(file)));
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        ((Map<String, Object>) compose.get("services"))
                .forEach((name, def) -> out.put(name, merged((Map<String, Object>) def)));
        return out;
    }

    @Test
    void everyServiceAUserNeedsIsThere() {
        assertEquals(
                List.of(
                        "kafka",
                        "kafka-init",
                        "postgres",
                        "migrate",
                        "jobmanager",
                        "taskmanager",
                        "generator",
                        "prometheus",
                        "grafana"),
                List.copyOf(services.keySet()));
        assertEquals(List.of("jobmanager", "taskmanager", "submit"), List.copyOf(session.keySet()));
    }

    @Test
    void theImageIsTheFlinkImageOfThePomWithTheJobJarInUsrlib() {
        assertTrue(dockerfile.contains("\nFROM flink:" + flinkVersion + "-java17\n"), dockerfile);
        assertTrue(
                dockerfile.contains("target/telemetra.jar /opt/flink/usrlib/telemetra.jar"),
                dockerfile);
        // checkpoints and savepoints: a new named volume copies this directory's owner
        assertTrue(dockerfile.contains("chown flink:flink /tmp/telemetra"), dockerfile);
        for (String flink : List.of("migrate", "jobmanager", "taskmanager")) {
            assertEquals(".", services.get(flink).get("build"), flink);
            assertEquals("telemetra:" + projectVersion, services.get(flink).get("image"), flink);
            assertTrue(
                    list(services.get(flink).get("volumes")).contains("flink-state:/tmp/telemetra")
                            || flink.equals("migrate"),
                    flink);
        }
        services.forEach(
                (name, s) -> {
                    String image = (String) s.get("image");
                    assertTrue(
                            image.matches("[a-z0-9./-]+:v?[0-9][A-Za-z0-9._-]*"),
                            name + " image not pinned to a version: " + image);
                });
    }

    @Test
    void theJobManagerRunsTelemetraInApplicationModeAndComesBackAfterAFailure() {
        List<Object> command = list(services.get("jobmanager").get("command"));
        assertEquals("standalone-job", command.get(0));
        assertEquals("on-failure", services.get("jobmanager").get("restart"));
        assertEquals("on-failure", services.get("taskmanager").get("restart"));
        // the session overlay: a session cluster without the image's jar, and a one-shot submit
        assertEquals(List.of("jobmanager"), session.get("jobmanager").get("command"));
        assertTrue(
                session.get("jobmanager").get("volumes").toString().contains("/opt/flink/usrlib"));
        List<Object> submit = list(session.get("submit").get("command"));
        assertEquals(List.of("flink", "run", "-d"), submit.subList(0, 3));
        assertTrue(submit.contains("/opt/flink/usrlib/telemetra.jar"), submit.toString());
    }

    @Test
    void portsArePublishedOnLoopbackOnlyAndTheDashboardOn8081() {
        services.forEach(
                (name, s) -> {
                    for (Object port : list(s.get("ports"))) {
                        assertTrue(port.toString().startsWith("127.0.0.1:"), name + ": " + port);
                    }
                });
        assertEquals(List.of("127.0.0.1:8081:8081"), services.get("jobmanager").get("ports"));
    }

    @Test
    void healthChecksGateTheStartUpOrder() {
        for (String gated : List.of("kafka", "postgres", "jobmanager")) {
            assertTrue(services.get(gated).containsKey("healthcheck"), gated + " healthcheck");
        }
        assertTrue(
                services.get("jobmanager").get("healthcheck").toString().contains("GET /overview"));
        // over TCP: the image's init-time server listens on the Unix socket only
        assertTrue(
                services.get("postgres")
                        .get("healthcheck")
                        .toString()
                        .contains("pg_isready -h 127.0.0.1"));
        assertEquals(
                Map.of(
                        "kafka-init", "service_completed_successfully",
                        "migrate", "service_completed_successfully"),
                conditions(services, "jobmanager"));
        assertEquals(Map.of("postgres", "service_healthy"), conditions(services, "migrate"));
        assertEquals(Map.of("kafka", "service_healthy"), conditions(services, "kafka-init"));
        assertEquals(Map.of("jobmanager", "service_healthy"), conditions(services, "taskmanager"));
        assertEquals(
                Map.of("kafka-init", "service_completed_successfully"),
                conditions(services, "generator"));
        assertEquals(
                Map.of("jobmanager", "service_healthy", "taskmanager", "service_started"),
                conditions(session, "submit"));
    }

    @Test
    void dataLivesOnVolumesAndMountsPointAtThisRepository() {
        assertEquals(
                List.of("postgres-data:/var/lib/postgresql/data"),
                services.get("postgres").get("volumes"));
        assertEquals(
                List.of("kafka-data:/var/lib/kafka/data"), services.get("kafka").get("volumes"));
        assertTrue(
                services.get("kafka")
                        .get("environment")
                        .toString()
                        .contains("KAFKA_LOG_DIRS=/var/lib/kafka/data"));
        for (Map<String, Map<String, Object>> file : List.of(services, session)) {
            file.forEach(
                    (name, s) -> {
                        for (Object v : list(s.get("volumes"))) {
                            String host = v.toString().split(":")[0];
                            if (host.startsWith(".")) {
                                assertTrue(Files.exists(Path.of(host)), name + " mounts " + host);
                            }
                        }
                    });
        }
        assertEquals(
                List.of(
                        "java",
                        "-cp",
                        "/opt/flink/usrlib/telemetra.jar:/opt/flink/lib/*",
                        "io.telemetra.schema.Migrate"),
                list(services.get("migrate").get("entrypoint")));
        assertTrue(
                list(services.get("postgres").get("command"))
                        .contains("max_prepared_transactions=20"));
    }

    @Test
    void thePasswordIsNeverOnACommandLine() {
        for (Map<String, Map<String, Object>> file : List.of(services, session)) {
            file.forEach(
                    (name, s) -> {
                        String command = String.valueOf(s.get("command"));
                        assertTrue(
                                !command.toLowerCase(java.util.Locale.ROOT).contains("password"),
                                name + ": " + command);
                    });
        }
        for (String job : List.of("jobmanager", "migrate", "grafana")) {
            assertTrue(
                    services.get(job).get("environment").toString().contains("POSTGRES_PASSWORD"),
                    job);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> conditions(
            Map<String, Map<String, Object>> file, String service) {
        Map<String, String> out = new java.util.HashMap<>();
        ((Map<String, Object>) file.get(service).get("depends_on"))
                .forEach((k, v) -> out.put(k, (String) ((Map<String, Object>) v).get("condition")));
        return out;
    }

    /** Applies a YAML merge key ({@code <<: *anchor}) the way Docker Compose does. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> merged(Map<String, Object> def) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (def.get("<<") instanceof Map<?, ?> base) {
            out.putAll((Map<String, Object>) base);
        }
        def.forEach(
                (k, v) -> {
                    if (!k.equals("<<")) {
                        out.put(k, v);
                    }
                });
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }

    private static String first(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex);
        return m.group(1);
    }
}
