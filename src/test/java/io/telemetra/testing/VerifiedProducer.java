package io.telemetra.testing;

import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A producer whose {@link #flush()} (and {@link #close()}) fails when the broker refused any record
 * sent since the last flush. A test's expected output is computed from what it sent, so a record
 * lost on the way would otherwise show up later as a wrong window, far from its cause.
 */
public final class VerifiedProducer extends KafkaProducer<byte[], byte[]> {
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicReference<Exception> firstCause = new AtomicReference<>();

    VerifiedProducer(Properties config) {
        super(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        return super.send(
                record,
                (metadata, e) -> {
                    if (e != null) {
                        refused.incrementAndGet();
                        firstCause.compareAndSet(null, e);
                    }
                    if (callback != null) {
                        callback.onCompletion(metadata, e);
                    }
                });
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
        return send(record, null);
    }

    @Override
    public void flush() {
        super.flush();
        int n = refused.getAndSet(0);
        if (n > 0) {
            throw new IllegalStateException(
                    "test input incomplete: the Kafka broker refused " + n + " record(s)",
                    firstCause.getAndSet(null));
        }
    }

    @Override
    public void close() {
        try {
            flush();
        } finally {
            super.close();
        }
    }
}
