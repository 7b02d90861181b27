package io.telemetra;

import io.telemetra.config.ConfigException;
import io.telemetra.config.Option;
import io.telemetra.config.TelemetraConfig;
import io.telemetra.kafka.KafkaCheck;
import io.telemetra.kafka.KafkaSources;
import io.telemetra.sentiment.Lexicon;
import io.telemetra.sink.PostgresCheck;
import io.telemetra.sink.PostgresSinks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point for {@code flink run telemetra.jar [options]}: reads and validates the configuration,
 * checks that Kafka and PostgreSQL are ready, builds the {@link Pipeline} and runs it.
 */
public final class TelemetraJob {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetraJob.class);

    private TelemetraJob() {}

    public static void main(String[] args) throws Exception {
        if (Arrays.asList(args).contains("--help")) {
            System.out.println(
                    "Usage: flink run telemetra.jar [options]\n" + TelemetraConfig.help());
            return;
        }
        try {
            TelemetraConfig cfg = TelemetraConfig.load(args, System.getenv());
            warnAboutSparkSettings(System.getenv());
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(environment(cfg));
            Pipeline.Sources sources = build(env, cfg);
            if (cfg.mode() == TelemetraConfig.Mode.REPLAY
                    && env.getConfiguration().get(DeploymentOptions.ATTACHED)) {
                // a backfill says how far it is: records read of those to read, per source
                ReplayProgress.follow(
                        env.executeAsync(jobName(cfg)), sources, Duration.ofSeconds(5), System.out);
            } else {
                env.execute(jobName(cfg));
            }
        } catch (ConfigException | StartupException | IllegalArgumentException e) {
            // one clear line before Flink's stack trace, which would otherwise bury the cause
            System.err.println("Telemetra cannot start: " + e.getMessage());
            throw e;
        }
    }

    /** Settings that must be known when the environment is created. */
    public static Configuration environment(TelemetraConfig cfg) {
        Configuration conf = new Configuration();
        if (cfg.checkpointLocation() != null) {
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, cfg.checkpointLocation());
        }
        return conf;
    }

    /** The built-in lexicon, with the user's --sentiment.lexicon file on top when given. */
    public static Lexicon lexicon(TelemetraConfig cfg) {
        return cfg.sentimentLexicon() == null
                ? Lexicon.builtIn()
                : Lexicon.withUserFile(Path.of(cfg.sentimentLexicon()));
    }

    /**
     * Checks the outside world, then builds the production pipeline (Kafka in, PostgreSQL out) on
     * {@code env}.
     */
    public static Pipeline.Sources build(StreamExecutionEnvironment env, TelemetraConfig cfg) {
        Lexicon lexicon = lexicon(cfg);
        LOG.info("Telemetra starting with {}", cfg);
        if (cfg.eventLimits().maxFutureSkewMillis() > cfg.eventTime().watermarkDelay().toMillis()) {
            LOG.warn(
                    "--watermark.max-future-skew = {} is longer than --watermark.delay = {}: one"
                        + " event stamped just inside the skew moves the watermark past the"
                        + " present, so windows fire before their events arrive and the next"
                        + " minutes of real events can be rejected as late. Keep the skew at most"
                        + " the delay unless producers' clocks are known to run ahead.",
                    cfg.describe().get(Option.MAX_FUTURE_SKEW.argName()),
                    cfg.describe().get(Option.WATERMARK_DELAY.argName()));
        }
        KafkaCheck.verify(cfg);
        boolean freshStart =
                env.getConfiguration().getOptional(StateRecoveryOptions.SAVEPOINT_PATH).isEmpty();
        PostgresCheck.verify(cfg, env.getParallelism(), freshStart);

        // the dashboard shows these under the job's configuration; the password is not among them
        env.getConfig().setGlobalJobParameters(new Parameters(cfg.describe()));
        Pipeline.Sources sources = KafkaSources.create(cfg);
        Pipeline.build(env, cfg, lexicon, sources, PostgresSinks.create(cfg));
        return sources;
    }

    public static String jobName(TelemetraConfig cfg) {
        return "Telemetra (" + cfg.mode().name().toLowerCase(Locale.ROOT) + ")";
    }

    private static void warnAboutSparkSettings(Map<String, String> env) {
        for (String name : TelemetraConfig.IGNORED_SPARK_VARIABLES) {
            if (env.containsKey(name)) {
                LOG.warn(
                        "{} is a Spark setting with no Flink equivalent and is ignored: Flink reads"
                            + " continuously and slows the sources by backpressure; size the job"
                            + " with flink run -p and the cluster's taskmanager memory instead",
                        name);
            }
        }
    }

    /** Non-secret settings shown by the dashboard. */
    static final class Parameters extends ExecutionConfig.GlobalJobParameters {
        private static final long serialVersionUID = 1L;
        private final Map<String, String> values;

        Parameters(Map<String, String> values) {
            this.values = values;
        }

        @Override
        public Map<String, String> toMap() {
            return values;
        }
    }
}
