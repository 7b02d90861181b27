package io.telemetra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in the repository's Markdown files leads somewhere. The README is short and
 * points into docs/, and the pages there point at each other, at RELIABILITY.md and BENCHMARKS.md
 * and at sections by anchor; a renamed heading or a moved page would otherwise break those links
 * silently.
 *
 * <p>For each {@code [text](path)}, {@code [text](path#anchor)} and {@code [text](#anchor)} outside
 * fenced code blocks and inline code (links with a scheme such as {@code https:} or {@code mailto:}
 * are skipped), the target file must exist inside the repository and, when an anchor is given, a
 * heading of the target Markdown file must produce it. Anchors follow GitHub's rules: the heading's
 * text lower-cased, punctuation other than hyphens and underscores dropped, each space a hyphen,
 * and repeated headings suffixed -1, -2, ...; headings inside fenced code blocks do not count. Only
 * ATX headings ({@code # Title}) are recognised.
 */
class MarkdownLinksTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();

    /** Folders that are build output, tool state or ignored by git, not documentation. */
    private static final Set<String> SKIPPED_DIRS =
            Set.of(".git", "target", "work", "telemetra-demo", ".idea", ".vscode", "node_modules");

    private static final Pattern LINK =
            Pattern.compile("\\[[^\\]]*]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern INLINE_CODE = Pattern.compile("(`+).*?\\1");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern FENCE = Pattern.compile("^\\s*(`{3,}|~{3,})");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    @Test
    void everyRelativeLinkInTheRepositoryResolves() throws IOException {
        List<Path> files = markdownFiles();
        assertTrue(files.contains(ROOT.resolve("README.md")), "README.md found: " + files);
        List<String> broken = new ArrayList<>();
        for (Path file : files) {
            broken.addAll(brokenLinks(file, Files.readString(file, StandardCharsets.UTF_8)));
        }
        assertTrue(broken.isEmpty(), "broken Markdown links:\n" + String.join("\n", broken));
    }

    @Test
    void aPlantedBrokenLinkIsReported() {
        String planted =
                String.join(
                        "\n",
                        "# Planted page",
                        "## Known section",
                        "## Known section",
                        "[fine](#known-section) [second](#known-section-1) [readme](README.md)",
                        "[bad anchor](#no-such-section) [missing](no-such-file.md)",
                        "[bad anchor elsewhere](README.md#no-such-section)",
                        "`[in inline code](#ignored)`",
                        "```",
                        "## Heading in code",
                        "[in a fence](#also-ignored)",
                        "```",
                        "[fenced heading](#heading-in-code) [web](https://example.com/#x)");
        List<String> broken = brokenLinks(ROOT.resolve("planted.md"), planted);
        assertEquals(4, broken.size(), String.join("\n", broken));
        assertTrue(broken.get(0).contains("(#no-such-section)"), broken.get(0));
        assertTrue(broken.get(1).contains("(no-such-file.md)"), broken.get(1));
        assertTrue(broken.get(2).contains("(README.md#no-such-section)"), broken.get(2));
        assertTrue(broken.get(3).contains("(#heading-in-code)"), broken.get(3));
    }

    @Test
    void anchorsFollowGitHubRules() {
        List<String> anchors =
                anchors(
                        "# The `flink-conf/` settings\n"
                                + "## From 0.1.0 to 0.2.0: migrate first\n"
                                + "## Produce test traffic: `./telemetra generate`\n"
                                + "## a_b\n"
                                + "## a_b");
        assertEquals(
                List.of(
                        "the-flink-conf-settings",
                        "from-010-to-020-migrate-first",
                        "produce-test-traffic-telemetra-generate",
                        "a_b",
                        "a_b-1"),
                anchors);
    }

    /** README.md, RELIABILITY.md, BENCHMARKS.md, docs/ and every other .md in the tree. */
    private static List<Path> markdownFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        Files.walkFileTree(
                ROOT,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) {
                        return SKIPPED_DIRS.contains(dir.getFileName().toString())
                                ? FileVisitResult.SKIP_SUBTREE
                                : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
                        if (file.getFileName().toString().endsWith(".md")) {
                            files.add(file);
                        }
                        return FileVisitResult.CONTINUE;
                    }
                });
        files.sort(null);
        return files;
    }

    /** The broken links of one Markdown text, as "file:line: (target): why". */
    static List<String> brokenLinks(Path file, String markdown) {
        // blank out fenced code blocks and inline code, keeping the line breaks for line numbers
        String[] lines = markdown.split("\n", -1);
        String fence = null;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            fence = nextFence(fence, line);
            boolean code = fence != null || FENCE.matcher(line).find();
            lines[i] = code ? "" : INLINE_CODE.matcher(line).replaceAll("");
        }
        String prose = String.join("\n", lines);
        List<String> broken = new ArrayList<>();
        Matcher m = LINK.matcher(prose); // a link's text may run over a line break
        while (m.find()) {
            String target = m.group(1);
            String problem = problem(file, target, markdown);
            if (problem != null) {
                long line =
                        prose.substring(0, m.start(1)).chars().filter(c -> c == '\n').count() + 1;
                broken.add(ROOT.relativize(file) + ":" + line + ": (" + target + "): " + problem);
            }
        }
        return broken;
    }

    /** Why a link target does not resolve, or null when it does. */
    private static String problem(Path file, String target, String ownText) {
        if (SCHEME.matcher(target).find()) {
            return null; // https:, mailto: and the like are not checked
        }
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        String text = ownText;
        Path resolved = file;
        if (!path.isEmpty()) {
            resolved = file.getParent().resolve(path).normalize();
            if (!resolved.startsWith(ROOT)) {
                return "points outside the repository";
            }
            if (!Files.exists(resolved)) {
                return "no such file " + ROOT.relativize(resolved);
            }
            if (anchor == null || !resolved.toString().endsWith(".md")) {
                return null; // anchors are only checked in Markdown files
            }
            text = read(resolved);
        }
        if (anchor != null && !anchors(text).contains(anchor)) {
            return "no heading in " + ROOT.relativize(resolved) + " makes #" + anchor;
        }
        return null;
    }

    /** The anchors GitHub gives the headings of a Markdown text, in order. */
    static List<String> anchors(String markdown) {
        List<String> anchors = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        String fence = null;
        for (String line : markdown.split("\n", -1)) {
            fence = nextFence(fence, line);
            if (fence != null || FENCE.matcher(line).find()) {
                continue;
            }
            Matcher h = HEADING.matcher(line);
            if (h.matches()) {
                String slug = slug(h.group(1));
                int n = seen.merge(slug, 1, Integer::sum) - 1;
                String anchor = n == 0 ? slug : slug + "-" + n;
                anchors.add(anchor);
            }
        }
        return anchors;
    }

    /** GitHub's heading slug: link syntax reduced to its text, lower case, punctuation dropped. */
    static String slug(String heading) {
        String text = heading.replaceAll("\\[([^\\]]*)]\\([^)]*\\)", "$1");
        return text.strip()
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N}\\p{M}_\\- ]", "")
                .replace(' ', '-');
    }

    /**
     * The fence open after this line: the opening backticks or tildes, or null outside a block. A
     * block closes at a line of the same character at least as long as the one that opened it.
     */
    private static String nextFence(String open, String line) {
        Matcher f = FENCE.matcher(line);
        if (!f.find()) {
            return open;
        }
        String marker = f.group(1);
        if (open == null) {
            return marker;
        }
        boolean closes =
                marker.charAt(0) == open.charAt(0)
                        && marker.length() >= open.length()
                        && line.strip().length() == marker.length();
        return closes ? null : open;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
