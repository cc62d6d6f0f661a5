package io.flinkmirror.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The modules' packages, read from their sources: no package cycle (within a module or across), and the layers point
 * one way: {@code udfs} imports neither {@code job} nor {@code cli}, {@code job} does not import {@code cli}. Every
 * reference counts, imports and fully qualified names in code alike (comments do not).
 */
class PackageStructureTest {

    private static final List<Path> SOURCES = List.of(Path.of("../udfs/src/main/java"), Path.of("../job/src/main/java"),
            Path.of("../cli/src/main/java"));
    /** A reference to a class of this project: its package is everything before the first capitalised segment. */
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.flinkmirror((?:\\.[a-z][a-z0-9_]*)+)\\.([A-Z*])");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");
    private static final Pattern COMMENTS = Pattern.compile("(?s)/\\*.*?\\*/|//[^\\n]*");

    /** Package -> packages it refers to -> one file that does (for the failure message). */
    static Map<String, Map<String, String>> dependencies(List<Path> roots) {
        Map<String, Map<String, String>> graph = new TreeMap<>();
        for (Path root : roots) {
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(f -> f.toString().endsWith(".java")).forEach(file -> {
                    String text = COMMENTS.matcher(read(file)).replaceAll(" ");
                    Matcher p = PACKAGE.matcher(text);
                    if (!p.find()) {
                        return;
                    }
                    String from = p.group(1);
                    Map<String, String> out = graph.computeIfAbsent(from, k -> new TreeMap<>());
                    Matcher m = REFERENCE.matcher(text);
                    while (m.find()) {
                        String to = "io.flinkmirror" + m.group(1);
                        if (!to.equals(from)) {
                            out.putIfAbsent(to, root.relativize(file).toString());
                        }
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return graph;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The strongly connected components with more than one package (Tarjan): each is a cycle. */
    static List<Set<String>> cycles(Map<String, Map<String, String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> found = new ArrayList<>();
        int[] counter = {0};
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, graph, index, low, stack, onStack, found, counter);
            }
        }
        return found;
    }

    private static void connect(String v, Map<String, Map<String, String>> graph, Map<String, Integer> index,
                                Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                                List<Set<String>> found, int[] counter) {
        index.put(v, counter[0]);
        low.put(v, counter[0]++);
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Map.of()).keySet()) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, found, counter);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                found.add(component);
            }
        }
    }

    /** Each edge inside {@code component}, with a file that makes it. */
    private static List<String> edges(Set<String> component, Map<String, Map<String, String>> graph) {
        List<String> edges = new ArrayList<>();
        for (String from : component) {
            graph.getOrDefault(from, Map.of()).forEach((to, file) -> {
                if (component.contains(to)) {
                    edges.add(from + " -> " + to + " (" + file + ")");
                }
            });
        }
        return edges;
    }

    @Test
    void shouldHaveNoPackageCycle() {
        Map<String, Map<String, String>> graph = dependencies(SOURCES);
        assertThat(graph).as("packages found under %s", SOURCES).hasSizeGreaterThan(10);
        List<String> cycles = new ArrayList<>();
        for (Set<String> cycle : cycles(graph)) {
            cycles.add(cycle + ": " + edges(cycle, graph));
        }
        assertThat(cycles).as("package cycles").isEmpty();
    }

    @Test
    void shouldKeepTheLayersPointingOneWay() {
        List<String> upward = new ArrayList<>();
        dependencies(SOURCES).forEach((from, out) -> out.forEach((to, file) -> {
            boolean udfsUp = from.startsWith("io.flinkmirror.udfs")
                    && (to.startsWith("io.flinkmirror.job") || to.startsWith("io.flinkmirror.cli"));
            boolean jobUp = from.startsWith("io.flinkmirror.job") && to.startsWith("io.flinkmirror.cli");
            if (udfsUp || jobUp) {
                upward.add(from + " -> " + to + " (" + file + ")");
            }
        }));
        assertThat(upward).as("references from a lower module to a higher one (udfs <- job <- cli)").isEmpty();
    }

    @Test
    void shouldFindTheCycleOfAGraphThatHasOne() {
        Map<String, Map<String, String>> graph = new TreeMap<>();
        graph.put("a", new TreeMap<>(Map.of("b", "A.java")));
        graph.put("b", new TreeMap<>(Map.of("c", "B.java")));
        graph.put("c", new TreeMap<>(Map.of("a", "C.java")));
        graph.put("d", new TreeMap<>(Map.of("a", "D.java")));
        assertThat(cycles(graph)).containsExactly(new TreeSet<>(Set.of("a", "b", "c")));
    }
}
