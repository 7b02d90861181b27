package io.telemetra.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Collects what reaches a sink into a list of this JVM (the MiniCluster runs in it), per name, for
 * pipeline tests without PostgreSQL. Records are kept as written; the job emits fresh objects.
 */
public final class CollectingSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, List<Object>> COLLECTED = new ConcurrentHashMap<>();

    private final String name;

    public CollectingSink(String name) {
        this.name = name;
        COLLECTED.put(name, new ArrayList<>());
    }

    /** What reached the sink of this name, in arrival order. */
    @SuppressWarnings("unchecked")
    public static <T> List<T> collected(String name) {
        List<Object> list = COLLECTED.get(name);
        synchronized (list) {
            return new ArrayList<>((List<T>) list);
        }
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        List<Object> list = COLLECTED.get(name);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context context) {
                synchronized (list) {
                    list.add(element);
                }
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
