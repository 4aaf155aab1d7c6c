package dev.quarry.index.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A directory holding one index as a series of atomic commits: immutable, checksummed data files
 * plus a {@code MANIFEST} naming the current ones.
 *
 * <p>The protocol: a {@link Commit} writes new files under generation-suffixed names
 * ({@code name.g7}), fsyncs them, writes {@code MANIFEST.tmp}, fsyncs it, renames it atomically
 * over {@code MANIFEST}, fsyncs the directory, and only then deletes files that the new manifest
 * does not name. A crash before the rename leaves the old manifest and all its files in place; a
 * crash after it leaves the new commit complete. Leftovers of a failed commit are deleted by the
 * next successful one.
 *
 * <p>Readers ({@link #openFile}) may run in many threads; one commit at a time per directory,
 * enforced with a {@code write.lock} file lock for the duration of the commit.
 */
public final class IndexStore implements AutoCloseable {

  /** The manifest's file name. */
  public static final String MANIFEST = "MANIFEST";
  private static final String MANIFEST_TMP = "MANIFEST.tmp";
  private static final String LOCK = "write.lock";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern DATA_FILE = Pattern.compile("[A-Za-z0-9_-]{1,64}\\.g[0-9]+");

  private final Path directory;
  private final WriteHook hook;
  private volatile Manifest manifest;
  private FileChannel lockChannel;
  private FileLock lock;

  private IndexStore(Path directory, WriteHook hook, Manifest manifest) {
    this.directory = directory;
    this.hook = hook;
    this.manifest = manifest;
  }

  /** Opens (creating if needed) the store in {@code directory} and reads its last commit, if any. */
  public static IndexStore open(Path directory) throws IOException {
    return open(directory, WriteHook.NONE);
  }

  /** As {@link #open(Path)}, with {@code hook} called before every disk step of every commit. */
  public static IndexStore open(Path directory, WriteHook hook) throws IOException {
    if (Files.exists(directory) && !Files.isDirectory(directory)) {
      throw new FileAlreadyExistsException(directory + ": is a file, not an index directory; give a directory path");
    }
    Files.createDirectories(directory);
    return new IndexStore(directory, hook, readManifest(directory));
  }

  /** Opens an existing store for reading; fails if {@code directory} holds no commit. */
  public static IndexStore openExisting(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) throw new NoSuchFileException(directory + ": no such index directory");
    IndexStore store = new IndexStore(directory, WriteHook.NONE, readManifest(directory));
    if (store.manifest == null) {
      throw new NoSuchFileException(directory + ": no " + MANIFEST + " (not an index, or nothing committed yet)");
    }
    return store;
  }

  private static Manifest readManifest(Path directory) throws IOException {
    Path path = directory.resolve(MANIFEST);
    if (!Files.exists(path)) return null;
    return Manifest.parse(Files.readAllBytes(path), path.toString());
  }

  public Path directory() {
    return directory;
  }

  /** The last commit's manifest, or {@code null} if nothing was committed yet. */
  public Manifest manifest() {
    return manifest;
  }

  /** The last commit's generation, 0 if none. */
  public long generation() {
    Manifest m = manifest;
    return m == null ? 0 : m.generation();
  }

  /** Whether the last commit holds the file {@code name}. */
  public boolean hasFile(String name) {
    Manifest m = manifest;
    return m != null && m.files().containsKey(name);
  }

  /**
   * Maps the last commit's file {@code name}, checking length, header, format and CRC32C.
   *
   * @param expectedFormat the format name the file must have, or {@code null} for any
   */
  public StoredFile openFile(String name, String expectedFormat) throws IOException {
    Manifest m = manifest;
    Manifest.FileEntry entry = m == null ? null : m.files().get(name);
    if (entry == null) {
      throw new NoSuchFileException(directory + ": the last commit has no file \"" + name + "\"");
    }
    return StoredFile.open(directory.resolve(entry.fileName()), entry, expectedFormat);
  }

  /** Starts the next commit; fails if another commit (in this or another process) is under way. */
  public synchronized Commit newCommit() throws IOException {
    if (lock != null) throw new IllegalStateException(directory + ": a commit is already under way");
    FileChannel channel = FileChannel.open(directory.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock acquired;
    try {
      acquired = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      acquired = null;
    }
    if (acquired == null) {
      channel.close();
      throw new IOException(directory + ": another writer holds " + LOCK + "; one commit at a time");
    }
    lockChannel = channel;
    lock = acquired;
    // Re-read: another process may have committed since this store was opened.
    manifest = readManifest(directory);
    return new Commit(this, generation() + 1, hook);
  }

  synchronized void endCommit() throws IOException {
    if (lock != null) {
      lock.release();
      lockChannel.close();
      lock = null;
      lockChannel = null;
    }
  }

  void publish(Manifest next, WriteHook hook) throws IOException {
    Path tmp = directory.resolve(MANIFEST_TMP);
    hook.before(WriteHook.Step.WRITE_MANIFEST, MANIFEST_TMP);
    try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      var buf = java.nio.ByteBuffer.wrap(next.toBytes());
      while (buf.hasRemaining()) channel.write(buf);
      hook.before(WriteHook.Step.SYNC_MANIFEST, MANIFEST_TMP);
      channel.force(true);
    }
    hook.before(WriteHook.Step.RENAME_MANIFEST, MANIFEST);
    try {
      Files.move(tmp, directory.resolve(MANIFEST), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException(directory + ": the file system cannot rename atomically, so commits cannot be crash-safe", e);
    }
    manifest = next;
    hook.before(WriteHook.Step.SYNC_DIRECTORY, directory.toString());
    syncDirectory(directory);
    deleteUnreferenced(next, hook);
  }

  private void deleteUnreferenced(Manifest current, WriteHook hook) throws IOException {
    Set<String> live = new HashSet<>();
    for (Manifest.FileEntry f : current.files().values()) live.add(f.fileName());
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
      for (Path p : files) {
        String name = p.getFileName().toString();
        if (DATA_FILE.matcher(name).matches() && !live.contains(name)) {
          hook.before(WriteHook.Step.DELETE_OLD, name);
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static void syncDirectory(Path directory) throws IOException {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // Some platforms cannot open a directory for fsync; the rename is then as durable as they allow.
      if (!System.getProperty("os.name", "").toLowerCase().contains("win")) throw e;
    }
  }

  static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("file name \"" + name + "\" must be 1-64 letters, digits, '-' or '_'");
    }
  }

  /** Releases the write lock if a commit was abandoned; committed files are untouched. */
  @Override
  public void close() throws IOException {
    endCommit();
  }
}
