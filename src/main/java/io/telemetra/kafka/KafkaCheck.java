package io.telemetra.kafka;

import io.telemetra.StartupException;
import io.telemetra.config.Option;
import io.telemetra.config.TelemetraConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Start-up check that the brokers answer and both topics exist, so a typo or a missing topic fails
 * the submission with a message instead of a job that silently waits forever.
 */
public final class KafkaCheck {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private KafkaCheck() {}

    public static void verify(TelemetraConfig cfg) {
        verify(cfg, TIMEOUT);
    }

    private static Properties adminProperties(TelemetraConfig cfg, long seconds) {
        Properties props = cfg.kafka().client().toProperties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.kafka().bootstrapServers());
        props.put(
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                Long.toString(Math.min(10, seconds) * 1000));
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(seconds * 1000));
        return props;
    }

    /**
     * The number of records a replay will read from {@code topic}: from the offsets it starts at
     * ({@code --kafka.starting-offsets}) to those present now, where a replay ends. Transaction
     * markers count as offsets too, so a topic written transactionally reads a little less.
     */
    public static long recordsToReplay(TelemetraConfig cfg, String topic) {
        long seconds = TIMEOUT.toSeconds();
        try (Admin admin = Admin.create(adminProperties(cfg, seconds))) {
            List<TopicPartition> partitions =
                    admin
                            .describeTopics(List.of(topic))
                            .allTopicNames()
                            .get(seconds, TimeUnit.SECONDS)
                            .get(topic)
                            .partitions()
                            .stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .toList();
            Map<TopicPartition, Long> end =
                    offsets(admin, partitions, OffsetSpec.latest(), seconds);
            Map<TopicPartition, Long> start =
                    switch (cfg.kafka().startingOffsets()) {
                        case LATEST -> end;
                        case EARLIEST -> offsets(admin, partitions, OffsetSpec.earliest(), seconds);
                        case COMMITTED -> {
                            Map<TopicPartition, Long> from =
                                    new HashMap<>(
                                            offsets(
                                                    admin,
                                                    partitions,
                                                    OffsetSpec.earliest(),
                                                    seconds));
                            admin.listConsumerGroupOffsets(cfg.kafka().groupId())
                                    .partitionsToOffsetAndMetadata()
                                    .get(seconds, TimeUnit.SECONDS)
                                    .forEach(
                                            (tp, om) -> {
                                                if (om != null && from.containsKey(tp)) {
                                                    from.put(tp, om.offset());
                                                }
                                            });
                            yield from;
                        }
                    };
            long total = 0;
            for (TopicPartition tp : partitions) {
                total += Math.max(0, end.get(tp) - start.get(tp));
            }
            return total;
        } catch (TimeoutException | ExecutionException e) {
            throw new StartupException(
                    "cannot read the offsets of Kafka topic '"
                            + topic
                            + "' to size the replay: "
                            + rootMessage(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while reading the offsets of " + topic);
        }
    }

    private static Map<TopicPartition, Long> offsets(
            Admin admin, List<TopicPartition> partitions, OffsetSpec spec, long seconds)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(request)
                .all()
                .get(seconds, TimeUnit.SECONDS)
                .forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    static void verify(TelemetraConfig cfg, Duration timeout) {
        long seconds = Math.max(1, timeout.toSeconds());
        try (Admin admin = Admin.create(adminProperties(cfg, seconds))) {
            Set<String> existing;
            try {
                existing = admin.listTopics().names().get(seconds, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                if (e.getCause()
                        instanceof org.apache.kafka.common.errors.AuthenticationException) {
                    throw new StartupException(
                            "Kafka at "
                                    + cfg.kafka().bootstrapServers()
                                    + " refused the job's credentials ("
                                    + rootMessage(e)
                                    + "); check security.protocol, sasl.mechanism and"
                                    + " sasl.jaas.config (or the ssl.* settings) in "
                                    + Option.KAFKA_PROPERTIES_FILE.label());
                }
                throw new StartupException(
                        "cannot reach Kafka at "
                                + cfg.kafka().bootstrapServers()
                                + " within "
                                + seconds
                                + " s ("
                                + rootMessage(e)
                                + "); check "
                                + Option.KAFKA_BOOTSTRAP_SERVERS.label()
                                + " and that the brokers are running and reachable from here (a"
                                + " cluster that needs SASL or TLS also needs its settings in "
                                + Option.KAFKA_PROPERTIES_FILE.label()
                                + ")");
            }
            for (String topic : List.of(cfg.kafka().chatTopic(), cfg.kafka().viewerTopic())) {
                if (!existing.contains(topic)) {
                    throw new StartupException(
                            "Kafka topic '"
                                    + topic
                                    + "' does not exist on "
                                    + cfg.kafka().bootstrapServers()
                                    + "; create it (e.g. kafka-topics.sh --bootstrap-server "
                                    + cfg.kafka().bootstrapServers()
                                    + " --create --topic "
                                    + topic
                                    + " --partitions 2) or set "
                                    + (topic.equals(cfg.kafka().chatTopic())
                                            ? Option.CHAT_TOPIC.label()
                                            : Option.VIEWER_TOPIC.label()));
                }
            }
            try {
                Map<String, TopicDescription> d =
                        admin.describeTopics(
                                        List.of(cfg.kafka().chatTopic(), cfg.kafka().viewerTopic()))
                                .allTopicNames()
                                .get(seconds, TimeUnit.SECONDS);
                d.values()
                        .forEach(
                                t -> {
                                    if (t.partitions().isEmpty()) {
                                        throw new StartupException(
                                                "Kafka topic '" + t.name() + "' has no partitions");
                                    }
                                });
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    throw new StartupException(
                            "Kafka topic disappeared during the start-up check: " + rootMessage(e));
                }
                throw new StartupException(
                        "cannot describe the Kafka topics: "
                                + rootMessage(e)
                                + "; if the cluster uses ACLs, the job's principal needs Describe"
                                + " and Read on both topics");
            } catch (TimeoutException e) {
                throw new StartupException(
                        "Kafka did not describe the topics within " + seconds + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while checking Kafka");
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
    }
}
