package io.telemetra.sink;

import java.util.List;

/** The message for transactions an earlier job left prepared, which hold row locks. */
final class StrayTransactionsException {
    private StrayTransactionsException() {}

    static String message(String sink, List<String> gids) {
        StringBuilder sb =
                new StringBuilder("sink ")
                        .append(sink)
                        .append(": PostgreSQL holds ")
                        .append(gids.size())
                        .append(
                                " transaction(s) that an earlier Telemetra job prepared and never"
                                        + " committed; they lock rows this job would write. If"
                                        + " that job is gone and you are not restoring it from a"
                                        + " savepoint, roll them back: start once with"
                                        + " --sink.stray-transactions rollback, or run in psql:");
        for (String gid : gids) {
            sb.append("\n  ROLLBACK PREPARED ").append(PreparedTransactions.quote(gid)).append(';');
        }
        return sb.toString();
    }
}
