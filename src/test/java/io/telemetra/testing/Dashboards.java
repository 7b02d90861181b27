package io.telemetra.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The Grafana dashboards of deploy/grafana as a test sees them: every query they send (panel
 * targets, template variables, annotations) with the data source it goes to, and Grafana's macros
 * and variables expanded the way Grafana expands them, so that a real Prometheus and a real
 * PostgreSQL can run exactly what a user's Grafana would.
 */
public final class Dashboards {
    public static final Path DASHBOARDS = Path.of("deploy/grafana/dashboards");
    public static final Path DATASOURCES =
            Path.of("deploy/grafana/provisioning/datasources/telemetra.yml");

    /** One query of a dashboard: where it is, the data source uid it names, and its text. */
    public record Query(String dashboard, String where, String datasource, String text) {
        @Override
        public String toString() {
            return dashboard + " / " + where;
        }
    }

    private Dashboards() {}

    public static List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(DASHBOARDS)) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    public static JsonNode load(Path file) throws IOException {
        return new ObjectMapper().readTree(file.toFile());
    }

    /** The provisioned data sources: uid to type. */
    @SuppressWarnings("unchecked")
    public static Map<String, String> datasources() throws IOException {
        Map<String, Object> yaml =
                (Map<String, Object>)
                        new Load(LoadSettings.builder().build())
                                .loadFromString(Files.readString(DATASOURCES));
        Map<String, String> out = new LinkedHashMap<>();
        for (Object o : (List<Object>) yaml.get("datasources")) {
            Map<String, Object> ds = (Map<String, Object>) o;
            out.put((String) ds.get("uid"), (String) ds.get("type"));
        }
        return out;
    }

    /** Every query of every dashboard. */
    public static List<Query> queries() throws IOException {
        List<Query> out = new ArrayList<>();
        for (Path file : files()) {
            JsonNode d = load(file);
            String name = d.path("uid").asText();
            for (JsonNode panel : d.path("panels")) {
                for (JsonNode t : panel.path("targets")) {
                    String uid = t.path("datasource").path("uid").asText(null);
                    if (uid == null) {
                        uid = panel.path("datasource").path("uid").asText();
                    }
                    out.add(
                            new Query(
                                    name,
                                    "panel \""
                                            + panel.path("title").asText()
                                            + "\" "
                                            + t.path("refId").asText(),
                                    uid,
                                    text(t)));
                }
            }
            for (JsonNode v : d.path("templating").path("list")) {
                JsonNode q = v.path("query");
                out.add(
                        new Query(
                                name,
                                "variable $" + v.path("name").asText(),
                                v.path("datasource").path("uid").asText(),
                                q.isTextual() ? q.asText() : q.path("query").asText()));
            }
            for (JsonNode a : d.path("annotations").path("list")) {
                out.add(
                        new Query(
                                name,
                                "annotation \"" + a.path("name").asText() + "\"",
                                a.path("datasource").path("uid").asText(),
                                text(a.path("target"))));
            }
        }
        return out;
    }

    private static String text(JsonNode target) {
        return target.has("expr") ? target.path("expr").asText() : target.path("rawSql").asText();
    }

    /**
     * A PromQL query as Grafana sends it with every variable at "All": {@code $job} is the
     * variable's allValue, {@code $__rate_interval} the given range (Grafana makes it at least four
     * scrape intervals), and the variable function {@code label_values(metric, label)} is the
     * series query it runs.
     */
    public static String promql(String expr, String rateInterval) {
        String q = expr.replace("$__rate_interval", rateInterval).replace("$job", ".*");
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("^label_values\\((.+),\\s*(\\w+)\\)$").matcher(q);
        return m.matches() ? m.group(1) : q;
    }

    /**
     * A PostgreSQL query as Grafana's PostgreSQL data source sends it: {@code $__timeFilter(col)}
     * becomes a BETWEEN over the dashboard's range, and {@code $stream} (multi-value, "All") the
     * quoted list of every stream, with quotes doubled as Grafana's sqlstring format does.
     */
    public static String sql(String raw, Instant from, Instant to, List<String> streams) {
        String range = "'" + from + "' AND '" + to + "'";
        String q = raw.replaceAll("\\$__timeFilter\\(([^)]+)\\)", "$1 BETWEEN " + range);
        q = q.replace("$__timeFrom()", "'" + from + "'").replace("$__timeTo()", "'" + to + "'");
        String list =
                streams.stream()
                        .map(s -> "'" + s.replace("'", "''") + "'")
                        .collect(Collectors.joining(","));
        return q.replace("$stream", list);
    }
}
