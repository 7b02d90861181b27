package io.telemetra.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.StartupException;
import io.telemetra.config.TelemetraConfig;
import io.telemetra.testing.RealInfrastructure;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Kafka start-up check against a real broker. */
@ExtendWith(RealInfrastructure.class)
class KafkaCheckIT {
    private static TelemetraConfig config(String bootstrap, String chat, String viewer) {
        return TelemetraConfig.load(
                new String[] {
                    "--kafka.bootstrap-servers",
                    bootstrap,
                    "--kafka.topic.chat",
                    chat,
                    "--kafka.topic.viewer",
                    viewer
                },
                Map.of());
    }

    @Test
    void existingTopicsPass() throws Exception {
        RealInfrastructure.createTopic("check.chat", 2);
        RealInfrastructure.createTopic("check.viewer", 1);
        KafkaCheck.verify(
                config(RealInfrastructure.kafkaBootstrap(), "check.chat", "check.viewer"),
                Duration.ofSeconds(10));
    }

    @Test
    void missingTopicIsNamedWithTheCommandThatCreatesIt() throws Exception {
        RealInfrastructure.createTopic("check2.chat", 1);
        String bootstrap = RealInfrastructure.kafkaBootstrap();
        StartupException e =
                assertThrows(
                        StartupException.class,
                        () ->
                                KafkaCheck.verify(
                                        config(bootstrap, "check2.chat", "no.such.topic"),
                                        Duration.ofSeconds(10)));
        assertEquals(
                "Kafka topic 'no.such.topic' does not exist on "
                        + bootstrap
                        + "; create it (e.g. kafka-topics.sh "
                        + "--bootstrap-server "
                        + bootstrap
                        + " --create --topic no.such.topic --partitions 2) or set "
                        + "--kafka.topic.viewer (env KAFKA_TOPIC_VIEWER)",
                e.getMessage());
    }

    @Test
    void unreachableBrokerSaysWhatToCheck() {
        StartupException e =
                assertThrows(
                        StartupException.class,
                        () ->
                                KafkaCheck.verify(
                                        config("127.0.0.1:1", "a", "b"), Duration.ofSeconds(3)));
        assertTrue(
                e.getMessage().startsWith("cannot reach Kafka at 127.0.0.1:1 within 3 s"),
                e.getMessage());
        assertTrue(
                e.getMessage()
                        .contains("check --kafka.bootstrap-servers (env KAFKA_BOOTSTRAP_SERVERS)"));
    }
}
