package io.telemetra;

import io.telemetra.event.SplitRejections;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;

/**
 * Prints a replay's progress while {@code flink run --mode replay} waits for it: per source, the
 * records read (the split operators' accumulators, summed over subtasks) of those the replay reads
 * (from Kafka's offsets at start), then a last line when the job has finished.
 */
final class ReplayProgress {
    private ReplayProgress() {}

    static void follow(JobClient job, Pipeline.Sources sources, Duration every, PrintStream out)
            throws Exception {
        CompletableFuture<JobExecutionResult> done = job.getJobExecutionResult();
        while (true) {
            try {
                JobExecutionResult result = done.get(every.toMillis(), TimeUnit.MILLISECONDS);
                out.println("replay finished: " + line(result.getAllAccumulatorResults(), sources));
                return;
            } catch (TimeoutException stillRunning) {
                try {
                    out.println(
                            "replay: "
                                    + line(
                                            job.getAccumulators()
                                                    .get(every.toMillis(), TimeUnit.MILLISECONDS),
                                            sources));
                } catch (TimeoutException | ExecutionException notNow) {
                    // the job is still being scheduled or restarting: the next round tells
                }
            }
        }
    }

    static String line(Map<String, Object> accumulators, Pipeline.Sources sources) {
        return part("chat", accumulators, sources.chatToReplay())
                + ", "
                + part("viewer", accumulators, sources.viewerToReplay());
    }

    private static String part(String source, Map<String, Object> accumulators, long total) {
        Object v = accumulators.get(SplitRejections.RECORDS_READ + source);
        long read = v instanceof Number n ? n.longValue() : 0;
        return String.format(
                Locale.ROOT,
                "%s %,d of %,d records (%.1f %%)",
                source,
                read,
                total,
                total <= 0 ? 100.0 : 100.0 * read / total);
    }
}
