package io.telemetra.kafka;

import io.telemetra.Pipeline;
import io.telemetra.config.TelemetraConfig;
import io.telemetra.event.Event;
import io.telemetra.event.EventParser;
import io.telemetra.event.KafkaEventDeserializer;
import io.telemetra.event.ParsedRecord;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** Builds the two Kafka sources from the configuration. */
public final class KafkaSources {
    private KafkaSources() {}

    public static Pipeline.Sources create(TelemetraConfig cfg) {
        EventParser parser = new EventParser(cfg.eventLimits());
        boolean replay = cfg.mode() == TelemetraConfig.Mode.REPLAY;
        return new Pipeline.Sources(
                source(
                        cfg,
                        cfg.kafka().chatTopic(),
                        new KafkaEventDeserializer(Event.CHAT, parser)),
                source(
                        cfg,
                        cfg.kafka().viewerTopic(),
                        new KafkaEventDeserializer(Event.VIEWER, parser)),
                replay ? KafkaCheck.recordsToReplay(cfg, cfg.kafka().chatTopic()) : -1,
                replay ? KafkaCheck.recordsToReplay(cfg, cfg.kafka().viewerTopic()) : -1);
    }

    private static KafkaSource<ParsedRecord> source(
            TelemetraConfig cfg, String topic, KafkaEventDeserializer deserializer) {
        KafkaSourceBuilder<ParsedRecord> b =
                KafkaSource.<ParsedRecord>builder()
                        // security (SASL, SSL) and tuning first: Telemetra's own settings win
                        .setProperties(cfg.kafka().client().toProperties())
                        .setBootstrapServers(cfg.kafka().bootstrapServers())
                        .setTopics(topic)
                        .setGroupId(cfg.kafka().groupId())
                        .setClientIdPrefix(cfg.kafka().groupId() + "-" + topic)
                        .setStartingOffsets(startingOffsets(cfg))
                        .setDeserializer(deserializer)
                        // new partitions of a topic are picked up within a minute
                        .setProperty("partition.discovery.interval.ms", "60000");
        if (cfg.mode() == TelemetraConfig.Mode.REPLAY) {
            // read up to the offsets present at start, then end: all windows fire and the job exits
            b.setBounded(OffsetsInitializer.latest());
        }
        return b.build();
    }

    @SuppressWarnings("deprecation") // the connector still takes kafka-clients' OffsetResetStrategy
    private static OffsetsInitializer startingOffsets(TelemetraConfig cfg) {
        return switch (cfg.kafka().startingOffsets()) {
            case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            case EARLIEST -> OffsetsInitializer.earliest();
            case LATEST -> OffsetsInitializer.latest();
        };
    }
}
