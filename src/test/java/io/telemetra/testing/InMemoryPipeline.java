package io.telemetra.testing;

import io.telemetra.Pipeline;
import io.telemetra.anomaly.Moment;
import io.telemetra.config.TelemetraConfig;
import io.telemetra.event.Event;
import io.telemetra.event.Rejection;
import io.telemetra.sentiment.Lexicon;
import io.telemetra.window.WindowSummary;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs the production {@link Pipeline#build} on in-memory sources and collecting sinks, on the
 * test's MiniCluster, to the end of the input: the fast tier's way to run the whole job.
 */
public final class InMemoryPipeline {
    /** What reached the three sinks. */
    public record Output(
            List<WindowSummary> summaries, List<Moment> moments, List<Rejection> rejections) {}

    private InMemoryPipeline() {}

    /**
     * @param args the job's options, as a user would give them
     * @param name distinguishes this run's sinks from other runs in the JVM
     */
    public static Output run(
            String name,
            String[] args,
            List<InMemorySource.Item> chat,
            List<InMemorySource.Item> viewers)
            throws Exception {
        TelemetraConfig cfg = TelemetraConfig.load(args, Map.of());
        StreamExecutionEnvironment env = JobRunner.environment();
        Pipeline.build(
                env,
                cfg,
                Lexicon.builtIn(),
                new Pipeline.Sources(
                        new InMemorySource(Event.CHAT, "chat", chat),
                        new InMemorySource(Event.VIEWER, "viewer", viewers)),
                new Pipeline.Sinks(
                        new CollectingSink<>(name + "-summaries"),
                        new CollectingSink<>(name + "-moments"),
                        new CollectingSink<>(name + "-rejections")));
        env.execute(name);
        return new Output(
                CollectingSink.collected(name + "-summaries"),
                CollectingSink.collected(name + "-moments"),
                CollectingSink.collected(name + "-rejections"));
    }
}
