package io.telemetra.tools.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * uPlot, from its webjar on the classpath (org.webjars.npm:uplot, a test-scope dependency, so the
 * job jar has none of it). The version comes from the webjar itself: updating the pom is enough.
 */
final class Webjar {
    static final String UPLOT_DIR = "META-INF/resources/webjars/uplot/" + version("uplot") + "/";
    static final String UPLOT_JS = UPLOT_DIR + "dist/uPlot.iife.min.js";
    static final String UPLOT_CSS = UPLOT_DIR + "dist/uPlot.min.css";

    private static String version(String artifact) {
        String pom = "META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties";
        try (InputStream in = Webjar.class.getClassLoader().getResourceAsStream(pom)) {
            if (in == null) {
                throw new IllegalStateException(
                        "the " + artifact + " webjar is not on the classpath (" + pom + ")");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Webjar() {}
}
