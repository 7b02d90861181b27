package io.telemetra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.testing.Dashboards;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The monitoring files of docker-compose.yml, read as Grafana and Prometheus read them: every
 * panel's data source is provisioned, the dashboards cover what an operator watches, and the
 * services, mounts and targets agree with each other. MonitoringIT runs every query for real.
 */
class DashboardsTest {

    @Test
    void everyPanelQueriesAProvisionedDataSourceOfItsType() throws Exception {
        Map<String, String> provisioned = Dashboards.datasources();
        assertEquals(
                Map.of(
                        "telemetra-prometheus", "prometheus",
                        "telemetra-postgres", "grafana-postgresql-datasource"),
                provisioned);
        Set<String> uids = new HashSet<>();
        for (Path file : Dashboards.files()) {
            JsonNode d = Dashboards.load(file);
            assertTrue(uids.add(d.path("uid").asText()), "dashboard uid repeated: " + file);
            Set<Integer> ids = new HashSet<>();
            for (JsonNode panel : d.path("panels")) {
                String where = file.getFileName() + " panel " + panel.path("title").asText();
                assertTrue(ids.add(panel.path("id").asInt()), where + ": id repeated");
                JsonNode ds = panel.path("datasource");
                assertEquals(
                        provisioned.get(ds.path("uid").asText()),
                        ds.path("type").asText(),
                        where + ": data source " + ds + " is not provisioned with that type");
                assertFalse(panel.path("targets").isEmpty(), where + ": no query");
                for (JsonNode t : panel.path("targets")) {
                    assertEquals(ds, t.path("datasource"), where + ": target's data source");
                }
            }
        }
        assertEquals(Set.of("telemetra-job-health", "telemetra-analytics"), uids);
        for (Dashboards.Query q : Dashboards.queries()) {
            assertTrue(provisioned.containsKey(q.datasource()), q + ": " + q.datasource());
            assertFalse(q.text().isBlank(), q + " is empty");
        }
    }

    @Test
    void jobHealthShowsWhatAnOperatorWatches() throws Exception {
        String all = promQueries();
        for (String metric :
                List.of(
                        "numRecordsIn",
                        "numRecordsOut",
                        "lastCheckpointDuration",
                        "numberOfFailedCheckpoints",
                        "backPressuredTimeMsPerSecond",
                        // Telemetra's own counters
                        "eventsValid",
                        "eventsRejected",
                        "eventsLate",
                        "operator_rejected_",
                        "momentsDetected")) {
            assertTrue(all.contains(metric), "no panel shows " + metric);
        }
    }

    @Test
    void analyticsShowsTheWindowsWithMomentsAsAnnotationsAndPrunesPartitions() throws Exception {
        JsonNode d = Dashboards.load(Dashboards.DASHBOARDS.resolve("telemetra-analytics.json"));
        String sql = d.path("panels").toString();
        for (String column :
                List.of(
                        "chat_rate",
                        "unique_chatters",
                        "avg_sentiment",
                        "positive_count",
                        "negative_count",
                        "avg_viewers",
                        "top_emotes")) {
            assertTrue(sql.contains(column), "no panel shows " + column);
        }
        JsonNode moments = d.path("annotations").path("list").get(0);
        assertTrue(moments.path("target").path("rawSql").asText().contains("FROM moments"));
        assertTrue(moments.path("enable").asBoolean(), "moments shown on the charts by default");
        // every query restricts the partition key, so PostgreSQL reads only the range's days
        for (Dashboards.Query q : Dashboards.queries()) {
            if (q.datasource().equals("telemetra-postgres")) {
                assertTrue(
                        q.text().contains("$__timeFilter(window_start)")
                                || q.text().contains("$__timeFilter(\"timestamp\")"),
                        q + " does not filter on its table's partition key: " + q.text());
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeWiresPrometheusAndGrafanaToFlinkAndPostgres() throws Exception {
        Map<String, Object> compose = yaml(Path.of("docker-compose.yml"));
        Map<String, Map<String, Object>> services =
                (Map<String, Map<String, Object>>) compose.get("services");
        assertTrue(
                services.get("prometheus")
                        .get("volumes")
                        .toString()
                        .contains(
                                "./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml"));
        List<Object> grafanaVolumes = (List<Object>) services.get("grafana").get("volumes");
        assertTrue(
                grafanaVolumes.contains(
                        "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro"));
        Map<String, Object> provider =
                (Map<String, Object>)
                        ((List<Object>)
                                        yaml(Path.of(
                                                        "deploy/grafana/provisioning/dashboards/telemetra.yml"))
                                                .get("providers"))
                                .get(0);
        String dashboardsPath =
                (String) ((Map<String, Object>) provider.get("options")).get("path");
        assertTrue(
                grafanaVolumes.contains("./deploy/grafana/dashboards:" + dashboardsPath + ":ro"),
                "the provider's path " + dashboardsPath + " is where the dashboards are mounted");

        // Prometheus scrapes both Flink services on the reporter's first port
        String reporterPorts =
                Files.readString(Path.of("flink-conf/config.yaml"))
                        .replaceAll("(?s).*prom:.*?port: ([0-9-]+).*", "$1");
        String firstPort = reporterPorts.split("-")[0];
        Map<String, Object> prometheus = yaml(Path.of("deploy/prometheus/prometheus.yml"));
        Map<String, Object> job =
                (Map<String, Object>) ((List<Object>) prometheus.get("scrape_configs")).get(0);
        List<Object> targets =
                (List<Object>)
                        ((Map<String, Object>) ((List<Object>) job.get("static_configs")).get(0))
                                .get("targets");
        assertEquals(List.of("jobmanager:" + firstPort, "taskmanager:" + firstPort), targets);
        // flink-conf binds the reporter to 127.0.0.1; in compose it must listen on the container's
        // interfaces for Prometheus to reach it
        assertTrue(
                Files.readString(Path.of("docker-compose.yml"))
                        .contains("metrics.reporter.prom.host: 0.0.0.0"));

        // the data sources point at the compose services; the password comes from the environment
        String datasources = Files.readString(Dashboards.DATASOURCES);
        assertTrue(datasources.contains("url: http://prometheus:9090"));
        assertTrue(datasources.contains("url: postgres:5432"));
        assertTrue(datasources.contains("password: $POSTGRES_PASSWORD"));
        assertTrue(
                services.get("grafana")
                        .get("environment")
                        .toString()
                        .contains("POSTGRES_PASSWORD"));
        List<String> ports = new ArrayList<>();
        for (String s : List.of("prometheus", "grafana")) {
            ports.addAll((List<String>) services.get(s).get("ports"));
        }
        assertEquals(List.of("127.0.0.1:9090:9090", "127.0.0.1:3000:3000"), ports);
    }

    private static String promQueries() throws Exception {
        StringBuilder out = new StringBuilder();
        for (Dashboards.Query q : Dashboards.queries()) {
            if (q.datasource().equals("telemetra-prometheus")) {
                out.append(q.text()).append('\n');
            }
        }
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(Path file) throws Exception {
        return (Map<String, Object>)
                new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
    }
}
