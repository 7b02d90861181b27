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
 * No Docker engine runs here, so docker-compose.yml is validated by reading it: the services a user
 * needs, images pinned (Flink's to the pom's version), ports on 127.0.0.1, health checks gating
 * start-up order, and mounts that point at files of this repository.
 */
class DockerComposeTest {
    static Map<String, Map<String, Object>> services;
    static String flinkVersion;
    static String jarName;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws Exception {
        Map<String, Object> compose =
                (Map<String, Object>)
                        new Load(LoadSettings.builder().build())
                                .loadFromString(Files.readString(Path.of("docker-compose.yml")));
        services = new LinkedHashMap<>();
        ((Map<String, Object>) compose.get("services"))
                .forEach((name, def) -> services.put(name, merged((Map<String, Object>) def)));

        String pom = Files.readString(Path.of("pom.xml"));
        flinkVersion = first(pom, "<flink.version>([^<]+)</flink.version>");
        // the shade plugin's one version-free name, used by docs, scripts and compose alike
        jarName = first(pom, "<finalName>([^<]+)</finalName>") + ".jar";
    }

    @Test
    void everyServiceAUserNeedsIsThere() {
        assertEquals(
                List.of(
                        "kafka",
                        "kafka-init",
                        "postgres",
                        "jobmanager",
                        "taskmanager",
                        "migrate",
                        "submit",
                        "generator"),
                List.copyOf(services.keySet()));
    }

    @Test
    void imagesArePinnedAndFlinkMatchesThePom() {
        services.forEach(
                (name, s) -> {
                    String image = (String) s.get("image");
                    assertTrue(
                            image.matches("[a-z0-9./-]+:[0-9][A-Za-z0-9._-]*"),
                            name + " image not pinned to a version: " + image);
                });
        for (String flink : List.of("jobmanager", "taskmanager", "migrate", "submit")) {
            assertEquals(
                    "flink:" + flinkVersion + "-java17", services.get(flink).get("image"), flink);
        }
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
        assertEquals(
                Map.of(
                        "jobmanager", "service_healthy",
                        "taskmanager", "service_started",
                        "kafka-init", "service_completed_successfully",
                        "migrate", "service_completed_successfully"),
                conditions("submit"));
        assertEquals(Map.of("postgres", "service_healthy"), conditions("migrate"));
        assertEquals(Map.of("kafka", "service_healthy"), conditions("kafka-init"));
        assertEquals(Map.of("jobmanager", "service_healthy"), conditions("taskmanager"));
        assertEquals(
                Map.of("kafka-init", "service_completed_successfully"), conditions("generator"));
    }

    @Test
    void mountsPointAtThisRepositorysConfigSchemaAndJar() {
        for (String flink : List.of("jobmanager", "taskmanager", "submit")) {
            List<Object> volumes = list(services.get(flink).get("volumes"));
            assertTrue(volumes.contains("./flink-conf:/telemetra/flink-conf:ro"), flink);
            assertTrue(volumes.contains("./target:/telemetra/target:ro"), flink);
        }
        // the schema comes from the migrate service, not from the image's init scripts (which run
        // only on an empty data directory and record no version)
        assertEquals(List.of(), list(services.get("postgres").get("volumes")));
        assertEquals(
                List.of(
                        "java",
                        "-cp",
                        "/telemetra/target/telemetra.jar:/opt/flink/lib/*",
                        "io.telemetra.schema.Migrate"),
                list(services.get("migrate").get("entrypoint")));
        assertTrue(
                list(services.get("migrate").get("volumes"))
                        .contains("./target:/telemetra/target:ro"));
        services.forEach(
                (name, s) -> {
                    for (Object v : list(s.get("volumes"))) {
                        String host = v.toString().split(":")[0];
                        if (host.startsWith(".")) {
                            assertTrue(Files.exists(Path.of(host)), name + " mounts " + host);
                        }
                    }
                });
        assertTrue(
                list(services.get("postgres").get("command"))
                        .contains("max_prepared_transactions=20"));
        String submit = services.get("submit").get("command").toString();
        assertTrue(submit.contains("/telemetra/target/" + jarName), submit);
        assertTrue(
                !submit.contains("password"),
                "the password is never a program argument: " + submit);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> conditions(String service) {
        Map<String, String> out = new java.util.HashMap<>();
        ((Map<String, Object>) services.get(service).get("depends_on"))
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
