package io.telemetra.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.telemetra.config.CommandOption;
import io.telemetra.config.ConfigException;
import io.telemetra.tools.generator.Generate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArgsTest {
    static final List<CommandOption> OPTIONS =
            List.of(
                    Args.duration("duration", null, "how long"),
                    Args.number("streams", "50", 1, "streams"),
                    Args.flag("clean", "clean up"));

    @Test
    void toolsReadDurationsAsTheJobDoes() {
        Args a = new Args(new String[] {"--duration", "5min", "--clean"}, OPTIONS);
        assertEquals(Duration.ofMinutes(5), a.duration("duration"));
        assertTrue(a.flag("clean"));
        assertEquals(50, a.longValue("streams"), "the declared default");
        assertFalse(new Args(new String[0], OPTIONS).has("duration"));
    }

    @Test
    void aWrongValueNamesTheOptionAndWhatIsAllowed() {
        String msg =
                assertThrows(
                                ConfigException.class,
                                () ->
                                        new Args(new String[] {"--streams", "0"}, OPTIONS)
                                                .longValue("streams"))
                        .getMessage();
        assertTrue(msg.startsWith("--streams = '0' is out of range"), msg);
        assertTrue(
                assertThrows(
                                ConfigException.class,
                                () -> new Args(new String[] {"--nope", "1"}, OPTIONS))
                        .getMessage()
                        .startsWith("unknown option --nope"));
    }

    @Test
    void usageIsGeneratedFromTheDeclarations() {
        for (CommandOption o : Generate.OPTIONS) {
            assertTrue(Generate.USAGE.contains("--" + o.argName()), o.argName());
        }
        assertTrue(Tools.usage().contains("migrate-savepoint") && Tools.usage().contains("bench"));
    }
}
