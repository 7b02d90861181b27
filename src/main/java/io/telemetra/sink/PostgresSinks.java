package io.telemetra.sink;

import io.telemetra.Pipeline;
import io.telemetra.anomaly.Moment;
import io.telemetra.config.TelemetraConfig;
import io.telemetra.event.Rejection;
import io.telemetra.window.WindowSummary;
import javax.sql.XADataSource;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSinkBuilder;
import org.apache.flink.util.function.SerializableSupplier;
import org.postgresql.xa.PGXADataSource;

/**
 * Builds the three PostgreSQL sinks.
 *
 * <p>Exactly-once: {@link PostgresTwoPhaseSink}, Telemetra's own two-phase-commit sink. Each
 * checkpoint's rows are written and prepared at the barrier and committed when the checkpoint
 * completes; PostgreSQL needs {@code max_prepared_transactions > 0}.
 *
 * <p>At-least-once: flink-connector-jdbc's sink (through {@link PatchedJdbcSink}), plain batches
 * that are retried; the upserts on natural keys make replays harmless.
 */
public final class PostgresSinks {
    /**
     * Number of sinks, each holding its own connections and, in exactly-once mode, XA transactions.
     */
    public static final int SINK_COUNT = 3;

    private PostgresSinks() {}

    public static Pipeline.Sinks create(TelemetraConfig cfg) {
        return new Pipeline.Sinks(
                sink(
                        cfg,
                        "chat_summary_minute",
                        Statements.UPSERT_SUMMARY,
                        Statements.SUMMARY,
                        TypeInformation.of(WindowSummary.class)),
                sink(
                        cfg,
                        "moments",
                        Statements.UPSERT_MOMENT,
                        Statements.MOMENT,
                        TypeInformation.of(Moment.class)),
                sink(
                        cfg,
                        "rejected_events",
                        Statements.INSERT_REJECTION,
                        Statements.REJECTION,
                        TypeInformation.of(Rejection.class)));
    }

    private static <T> Sink<T> sink(
            TelemetraConfig cfg,
            String name,
            String sql,
            JdbcStatementBuilder<T> binder,
            TypeInformation<T> rowType) {
        if (cfg.postgres().exactlyOnce()) {
            return new PostgresTwoPhaseSink<>(
                    TransactionName.deploymentOf(cfg.kafka().groupId()),
                    name,
                    sql,
                    binder,
                    rowType,
                    new PreparedTransactions(
                            cfg.postgres().url(), cfg.postgres().user(), cfg.postgres().password()),
                    cfg.postgres().strayTransactions());
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
