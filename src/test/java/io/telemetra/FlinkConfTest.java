package io.telemetra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.WebOptions;
import org.junit.jupiter.api.Test;

/** flink-conf/config.yaml parses with Flink's own loader and says what the README promises. */
class FlinkConfTest {
    @Test
    void sessionClusterConfigurationHoldsTheDocumentedSettings() {
        Configuration c = GlobalConfiguration.loadConfiguration("flink-conf");
        assertEquals(
                "127.0.0.1",
                c.get(RestOptions.BIND_ADDRESS),
                "dashboard not exposed to the network");
        assertEquals(8081, c.get(RestOptions.PORT));
        assertEquals(
                "RETAIN_ON_CANCELLATION",
                c.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION).name());
        assertEquals(
                "file:///tmp/telemetra/checkpoints",
                c.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY));
        assertEquals(
                "file:///tmp/telemetra/savepoints",
                c.get(CheckpointingOptions.SAVEPOINT_DIRECTORY));
        assertEquals(1, c.get(CheckpointingOptions.MAX_CONCURRENT_CHECKPOINTS));
        assertEquals("exponential-delay", c.get(RestartStrategyOptions.RESTART_STRATEGY));
        assertEquals(
                Duration.ofMinutes(1),
                c.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF));
        assertEquals("hashmap", c.get(StateBackendOptions.STATE_BACKEND));
        assertEquals(false, c.get(WebOptions.SUBMIT_ENABLE));
    }
}
