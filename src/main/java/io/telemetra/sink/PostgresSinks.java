package io.telemetra.sink;

import io.telemetra.Pipeline;
import io.telemetra.config.TelemetraConfig;
import javax.sql.XADataSource;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExactlyOnceOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSinkBuilder;
import org.apache.flink.util.function.SerializableSupplier;
import org.postgresql.xa.PGXADataSource;

/**
 * Builds the three PostgreSQL sinks with flink-connector-jdbc's {@link JdbcSink}.
 *
 * <p>Exactly-once: each sink writes inside an XA transaction that is prepared and committed at each
 * checkpoint, so rows appear once per checkpoint. PostgreSQL needs {@code max_prepared_transactions
 * > 0} and one transaction per connection; the connector requires {@code maxRetries = 0} (a retried
 * batch inside an XA transaction could be applied twice). Connector 4.0.0 commits while taking the
 * snapshot, not after the checkpoint completes, so a checkpoint that fails afterwards replays some
 * rows: the upserts on natural keys are what keeps the tables free of duplicates in that case.
 *
 * <p>At-least-once: plain batches, retried; the upserts make replays harmless.
 */
public final class PostgresSinks {
    /**
     * Number of sinks, each holding its own connections and, in exactly-once mode, XA transactions.
     */
    public static final int SINK_COUNT = 3;

    private PostgresSinks() {}

    public static Pipeline.Sinks create(TelemetraConfig cfg) {
        return new Pipeline.Sinks(
                sink(cfg, "chat_summary_minute", Statements.UPSERT_SUMMARY, Statements.SUMMARY),
                sink(cfg, "moments", Statements.UPSERT_MOMENT, Statements.MOMENT),
                sink(cfg, "rejected_events", Statements.INSERT_REJECTION, Statements.REJECTION));
    }

    private static <T> Sink<T> sink(
            TelemetraConfig cfg, String name, String sql, JdbcStatementBuilder<T> binder) {
        if (cfg.postgres().exactlyOnce()) {
            SerializableSupplier<XADataSource> xa =
                    xaDataSource(
                            cfg.postgres().url(), cfg.postgres().user(), cfg.postgres().password());
            // XA: one batch per checkpoint, and no retries inside a transaction (FLINK-22311)
            return new PatchedJdbcSink<>(
                    builder(sql, binder, 0, 0)
                            .buildExactlyOnce(
                                    JdbcExactlyOnceOptions.builder()
                                            .withTransactionPerConnection(true)
                                            .build(),
                                    xa),
                    name,
                    xa);
        }
        return new PatchedJdbcSink<>(
                builder(sql, binder, 200, 3)
                        .buildAtLeastOnce(
                                new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                                        .withUrl(cfg.postgres().url())
                                        .withDriverName("org.postgresql.Driver")
                                        .withUsername(cfg.postgres().user())
                                        .withPassword(cfg.postgres().password().value())
                                        .build()),
                name);
    }

    private static <T> JdbcSinkBuilder<T> builder(
            String sql, JdbcStatementBuilder<T> binder, long batchIntervalMs, int maxRetries) {
        return JdbcSink.<T>builder()
                .withQueryStatement(sql, binder)
                .withExecutionOptions(
                        JdbcExecutionOptions.builder()
                                .withBatchSize(1000)
                                .withBatchIntervalMs(batchIntervalMs)
                                .withMaxRetries(maxRetries)
                                .build());
    }

    /**
     * Serializable, so it travels with the job graph; the password never enters the job's
     * configuration.
     */
    static SerializableSupplier<XADataSource> xaDataSource(
            String url, String user, TelemetraConfig.Secret password) {
        return () -> {
            PGXADataSource ds = new PGXADataSource();
            ds.setUrl(url);
            ds.setUser(user);
            ds.setPassword(password.value());
            return ds;
        };
    }
}
