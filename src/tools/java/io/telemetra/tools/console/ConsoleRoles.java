package io.telemetra.tools.console;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Runs sql/roles/console_roles.sql as the database owner and sets the two roles' passwords: what
 * the README asks an operator to do with psql, done for the demo and the tests.
 */
public final class ConsoleRoles {
    public static final Path SCRIPT = Path.of("sql/roles/console_roles.sql");

    public static void create(Connection owner, String consolePassword, String alertsPassword)
            throws SQLException, IOException {
        try (Statement st = owner.createStatement()) {
            st.execute(Files.readString(SCRIPT));
            st.execute("ALTER ROLE telemetra_console PASSWORD " + literal(consolePassword));
            st.execute("ALTER ROLE telemetra_alerts PASSWORD " + literal(alertsPassword));
        }
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private ConsoleRoles() {}
}
