package io.telemetra.tools.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time used by the benchmark's PostgreSQL, from /proc: the postmaster's own time and that of
 * the backends it has reaped (cutime, cstime), plus the backends still running. The full job's cost
 * per event is the job's CPU and this together.
 */
final class PostgresCpu {
    /** Linux reports /proc times in USER_HZ ticks, 100 a second on every common configuration. */
    static final long TICKS_PER_SECOND = 100;

    private PostgresCpu() {}

    static long millis(EmbeddedPostgres pg) throws IOException {
        Path pidFile = postmasterPid(pg);
        if (pidFile == null || !Files.exists(Path.of("/proc/self/stat"))) {
            return -1; // not Linux
        }
        long postmaster = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        long ticks = 0;
        String[] own = stat(postmaster);
        if (own == null) {
            return -1;
        }
        ticks += Long.parseLong(own[13]) + Long.parseLong(own[14]);
        ticks += Long.parseLong(own[15]) + Long.parseLong(own[16]);
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String[] f = stat(Long.parseLong(name));
                if (f != null && Long.parseLong(f[3]) == postmaster) {
                    ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
                }
            }
        }
        return ticks * 1000 / TICKS_PER_SECOND;
    }

    private static Path postmasterPid(EmbeddedPostgres pg) {
        try {
            var field = EmbeddedPostgres.class.getDeclaredField("dataDirectory");
            field.setAccessible(true);
            return ((java.io.File) field.get(pg)).toPath().resolve("postmaster.pid");
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /**
     * The fields of /proc/PID/stat, {@code fields[i]} being field i + 1 of proc(5) (so utime, field
     * 14, is {@code fields[13]}); the command name, which may hold spaces, is skipped.
     */
    private static String[] stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String rest = s.substring(s.lastIndexOf(')') + 2);
            String[] after = rest.split(" ");
            String[] fields = new String[after.length + 2];
            System.arraycopy(after, 0, fields, 2, after.length);
            return fields;
        } catch (IOException | RuntimeException e) {
            return null; // the process ended meanwhile
        }
    }
}
