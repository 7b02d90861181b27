package io.telemetra.testing;

import io.telemetra.TelemetraJob;
import io.telemetra.config.TelemetraConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** Builds the production job against the test infrastructure, configured as a user would. */
public final class JobRunner {
    private JobRunner() {}

    /** A MiniCluster with one TaskManager of two slots, for {@code @RegisterExtension}. */
    public static MiniClusterExtension miniCluster() {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(2)
                        .build());
    }

    /** The job's options pointing at the test's Kafka and PostgreSQL, as a user would pass them. */
    public static List<String> args(String chatTopic, String viewerTopic) {
        return new ArrayList<>(
                List.of(
                        "--kafka.bootstrap-servers",
                        RealInfrastructure.kafkaBootstrap(),
                        "--kafka.topic.chat",
                        chatTopic,
                        "--kafka.topic.viewer",
                        viewerTopic,
                        "--kafka.group-id",
                        "it-" + chatTopic,
                        "--postgres.url",
                        RealInfrastructure.postgresUrl(),
                        "--postgres.user",
                        RealInfrastructure.PG_USER,
                        "--checkpoint.interval",
                        "1s"));
    }

    /** target/telemetra.jar, the product; present only after ./mvnw package. */
    public static Path shadedJar() {
        Path jar = Path.of("target", "telemetra.jar");
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("run after ./mvnw package: no " + jar);
        }
        return jar;
    }

    /** Configuration as the README documents it, pointed at the test's Kafka and PostgreSQL. */
    public static TelemetraConfig config(
            String chatTopic, String viewerTopic, String... extraArgs) {
        List<String> args = args(chatTopic, viewerTopic);
        args.addAll(List.of(extraArgs));
        Map<String, String> env = new HashMap<>();
        env.put("POSTGRES_PASSWORD", RealInfrastructure.PG_PASSWORD);
        return TelemetraConfig.load(args.toArray(String[]::new), env);
    }

    /**
     * An environment at parallelism 2 that refuses Kryo and operators without an explicit uid, so a
     * missing serializer or uid fails the test instead of breaking a savepoint later.
     */
    public static StreamExecutionEnvironment environment() {
        return environment(new Configuration());
    }

    /** {@link #environment()} with extra settings, e.g. a savepoint to start from. */
    public static StreamExecutionEnvironment environment(Configuration extra) {
        Configuration conf = new Configuration(extra);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        // a broken job fails the test after a few tries instead of restarting forever
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        return env;
    }

    public static StreamExecutionEnvironment build(TelemetraConfig cfg) {
        StreamExecutionEnvironment env = environment();
        TelemetraJob.build(env, cfg);
        return env;
    }
}
