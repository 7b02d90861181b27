package io.telemetra.window;

import io.telemetra.event.Event;
import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * Folds a stream's events into a {@link WindowAccumulator} as they arrive, so windows keep no
 * events.
 */
public class ChatAggregate
        implements AggregateFunction<Event, WindowAccumulator, WindowAccumulator> {
    private static final long serialVersionUID = 1L;

    private final int sketchLgK;

    public ChatAggregate(int sketchLgK) {
        this.sketchLgK = sketchLgK;
    }

    @Override
    public WindowAccumulator createAccumulator() {
        return new WindowAccumulator();
    }

    @Override
    public WindowAccumulator add(Event event, WindowAccumulator acc) {
        acc.add(event, sketchLgK);
        return acc;
    }

    @Override
    public WindowAccumulator getResult(WindowAccumulator acc) {
        return acc;
    }

    @Override
    public WindowAccumulator merge(WindowAccumulator a, WindowAccumulator b) {
        a.merge(b);
        return a;
    }
}
