package io.telemetra.sink;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name ({@code gid}) under which a sink's transaction is prepared in PostgreSQL, and what it
 * records: whose it is and from when. Ownership of a prepared transaction found in {@code
 * pg_prepared_xacts} is decided from these fields alone:
 *
 * <ul>
 *   <li>{@code deployment} and {@code sink}: the Telemetra deployment (its Kafka consumer group)
 *       and the table; transactions of other deployments, other sinks and other software are never
 *       touched;
 *   <li>{@code job}: the Flink job that prepared it; a restored writer's state names the jobs of
 *       its lineage, so a transaction of an unrelated earlier job is told apart;
 *   <li>{@code owner}: a random id of the writer that prepared it, which holds a PostgreSQL
 *       advisory lock on it for as long as it lives, so a transaction whose owner is gone is known
 *       to be abandoned without counting subtasks;
 *   <li>{@code fromCheckpoint}: one more than the last checkpoint that writer had taken when it
 *       prepared the transaction. A transaction prepared for checkpoint N has {@code fromCheckpoint
 *       <= N}, and every transaction prepared after checkpoint R has {@code fromCheckpoint > R}; so
 *       on a restore from R, the inherited transactions with {@code fromCheckpoint > R} belong to
 *       checkpoints that never completed and are rolled back, and the others are committed by the
 *       restored committables.
 * </ul>
 */
public record TransactionName(
        String deployment,
        String sink,
        String job,
        long owner,
        long fromCheckpoint,
        long sequence) {
    static final String PREFIX = "telemetra-2pc";
    private static final Pattern FORMAT =
            Pattern.compile(
                    Pattern.quote(PREFIX)
                            + ":([a-z0-9_.-]{1,30}):([a-z_]{1,30}):([0-9a-f]{32}):([0-9a-f]{16})"
                            + ":(\\d+):(\\d+)");

    /** A deployment id safe inside a gid: the Kafka group id, lower case, other characters '_'. */
    public static String deploymentOf(String groupId) {
        String s = groupId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_.-]", "_");
        return s.length() <= 30 ? s : s.substring(0, 30);
    }

    public String gid() {
        return String.format(
                Locale.ROOT,
                "%s:%s:%s:%s:%016x:%d:%d",
                PREFIX,
                deployment,
                sink,
                job,
                owner,
                fromCheckpoint,
                sequence);
    }

    /** The fields of a gid this class wrote, or empty for any other transaction. */
    public static Optional<TransactionName> parse(String gid) {
        Matcher m = FORMAT.matcher(gid);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(
                new TransactionName(
                        m.group(1),
                        m.group(2),
                        m.group(3),
                        Long.parseUnsignedLong(m.group(4), 16),
                        Long.parseLong(m.group(5)),
                        Long.parseLong(m.group(6))));
    }

    /** A LIKE pattern for this sink's transactions in {@code pg_prepared_xacts}. */
    static String likePattern(String deployment, String sink) {
        return PREFIX
                + ":"
                + deployment.replace("_", "\\_")
                + ":"
                + sink.replace("_", "\\_")
                + ":%";
    }
}
