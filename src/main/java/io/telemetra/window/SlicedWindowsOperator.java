package io.telemetra.window;

import io.telemetra.event.Event;
import java.util.stream.Stream;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Flink's keyed process operator for {@link SlicedWindows}, plus the two flushes of its in-memory
 * deltas that need the key switched for every buffered stream: before each checkpoint barrier, so a
 * checkpoint or savepoint holds every event read before it, and when the buffer is full. State,
 * timers and the timer service's name are those of {@link KeyedProcessOperator}, so savepoints of
 * 0.2.0, written by that operator, restore into this one.
 */
public class SlicedWindowsOperator extends KeyedProcessOperator<String, Event, WindowSummary> {
    private static final long serialVersionUID = 1L;

    public SlicedWindowsOperator(SlicedWindows windows) {
        super(windows);
    }

    @Override
    public void open() throws Exception {
        super.open(); // the function's open registers its states
        // windows carried over from 0.1.0 exist only in a state restored from a migrated
        // savepoint, and nothing adds any later: when there are none, stop looking for them
        try (Stream<Object> keys =
                getKeyedStateBackend()
                        .getKeys(
                                SlicedWindows.carriedDescriptor().getName(),
                                VoidNamespace.INSTANCE)) {
            if (keys.findAny().isEmpty()) {
                windows().noCarriedWindows();
            }
        }
    }

    @Override
    public void processElement(StreamRecord<Event> element) throws Exception {
        super.processElement(element);
        if (windows().bufferFull()) {
            flushAll();
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flushAll();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    private void flushAll() throws Exception {
        Object key = getCurrentKey();
        windows().flushAll(this::setCurrentKey);
        if (key != null) {
            setCurrentKey(key);
        }
    }

    private SlicedWindows windows() {
        return (SlicedWindows) userFunction;
    }
}
