package io.telemetra.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SchemaVersionTest {
    @Test
    void theJobExpectsTheNewestVersionInSqlMigrationsAndTheVersionsHaveNoGap() throws IOException {
        List<Integer> versions;
        try (Stream<Path> files = Files.list(Path.of("sql/migrations"))) {
            versions =
                    files.map(f -> f.getFileName().toString())
                            .filter(n -> n.matches("V\\d+__\\w+\\.sql"))
                            .map(n -> Integer.parseInt(n.substring(1, n.indexOf("__"))))
                            .sorted()
                            .toList();
        }
        assertEquals(SchemaVersion.CURRENT, versions.get(versions.size() - 1));
        for (int i = 0; i < versions.size(); i++) {
            assertEquals(i + 1, versions.get(i), "versions 1, 2, 3, ... without a gap");
        }
    }
}
