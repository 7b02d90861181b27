package io.telemetra.event;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Parses Kafka records inside the source, so that event timestamps are known per partition and
 * watermarks are tracked per partition. Every record yields exactly one {@link ParsedRecord}.
 */
public class KafkaEventDeserializer implements KafkaRecordDeserializationSchema<ParsedRecord> {
    private static final long serialVersionUID = 1L;

    private final byte kind;
    private final EventParser parser;

    /**
     * @param kind {@link Event#CHAT} or {@link Event#VIEWER}: what the records of this source are
     */
    public KafkaEventDeserializer(byte kind, EventParser parser) {
        this.kind = kind;
        this.parser = parser;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {}

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ParsedRecord> out) {
        out.collect(
                parser.parse(
                        kind,
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        record.timestamp(),
                        record.value(),
                        System.currentTimeMillis()));
    }

    @Override
    public TypeInformation<ParsedRecord> getProducedType() {
        return TypeInformation.of(ParsedRecord.class);
    }
}
