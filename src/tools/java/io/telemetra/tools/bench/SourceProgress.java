package io.telemetra.tools.bench;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Flink metric reporter that keeps the sources' {@code numRecordsIn} counters, so that the
 * benchmark JVM (which runs the MiniCluster itself) can read how many Kafka records every variant
 * has read so far, whatever its operators are. That gives a steady-state rate without the cluster's
 * start-up, the SQL planner and the last partial second.
 */
public final class SourceProgress implements MetricReporter {
    private static final List<Counter> SOURCES = new CopyOnWriteArrayList<>();

    /** Records read by all sources of the running job. */
    static long recordsRead() {
        long sum = 0;
        for (Counter c : SOURCES) {
            sum += c.getCount();
        }
        return sum;
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        String operator = group.getAllVariables().getOrDefault("<operator_name>", "");
        if (name.equals("numRecordsIn") && metric instanceof Counter c && isSource(operator)) {
            SOURCES.add(c);
        }
    }

    private static boolean isSource(String operator) {
        return operator.startsWith("Source") || operator.startsWith("Kafka");
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {}

    /** Named in the Flink configuration as metrics.reporter.bench.factory.class. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new SourceProgress();
        }
    }
}
