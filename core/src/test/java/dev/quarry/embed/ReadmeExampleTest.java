package dev.quarry.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java example of the README, compiled and run as written, so that it never goes stale. */
class ReadmeExampleTest {

  @Test
  void readmeExampleCompilesAndRuns(@TempDir Path dir) throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    Matcher m = Pattern.compile("```java\n(.*?class ReadmeExample.*?)```", Pattern.DOTALL).matcher(readme);
    assertTrue(m.find(), "README.md has no ```java block with class ReadmeExample");
    Path source = dir.resolve("ReadmeExample.java");
    Files.writeString(source, m.group(1));
    int status = ToolProvider.getSystemJavaCompiler().run(null, null, null,
        "-classpath", System.getProperty("java.class.path"), "-d", dir.toString(), source.toString());
    assertEquals(0, status, "the README example does not compile");

    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    try (URLClassLoader loader = new URLClassLoader(new java.net.URL[] {dir.toUri().toURL()},
        getClass().getClassLoader())) {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      loader.loadClass("ReadmeExample").getMethod("main", String[].class).invoke(null, (Object) new String[0]);
    } finally {
      System.setOut(stdout);
    }
    // One "id score" line per hit, best first: the JVM document (id 0) well ahead of the cats.
    List<String[]> hits = captured.toString(StandardCharsets.UTF_8).lines().map(l -> l.split(" ")).toList();
    assertEquals(2, hits.size());
    assertEquals("0", hits.get(0)[0], "the JVM document should rank first");
    assertTrue(Double.parseDouble(hits.get(0)[1]) > Double.parseDouble(hits.get(1)[1]) + 0.2,
        "the JVM document should score well above the other");
  }
}
