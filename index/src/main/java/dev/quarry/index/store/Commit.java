package dev.quarry.index.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One pending commit of an {@link IndexStore}: new files are written under names of their own
 * generation, so nothing the last commit references is touched until {@link #commit()} has
 * renamed the new manifest into place.
 *
 * <p>Not thread-safe; one commit at a time per store (a second one fails to start).
 */
public final class Commit implements AutoCloseable {

  private final IndexStore store;
  private final long generation;
  private final WriteHook hook;
  private final Map<String, Manifest.FileEntry> files = new LinkedHashMap<>();
  private final List<StoreOutput> open = new ArrayList<>();
  private final Map<String, String> userData = new LinkedHashMap<>();
  private boolean finished;

  Commit(IndexStore store, long generation, WriteHook hook) {
    this.store = store;
    this.generation = generation;
    this.hook = hook;
  }

  /** The generation this commit will have. */
  public long generation() {
    return generation;
  }

  /**
   * Starts the new file {@code name} (letters, digits, {@code -_}), of format {@code format}
   * (checked again on open) and version {@code version}; close the output before committing.
   */
  public StoreOutput create(String name, String format, int version) throws IOException {
    checkOpen();
    IndexStore.checkName(name);
    StoreOutput.checkFormatName(format);
    if (files.containsKey(name)) throw new IllegalArgumentException("file \"" + name + "\" is already in this commit");
    String fileName = name + ".g" + generation;
    Path path = store.directory().resolve(fileName);
    hook.before(WriteHook.Step.CREATE_FILE, fileName);
    FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE);
    StoreOutput out;
    try {
      out = new StoreOutput(channel, fileName, format, version, generation, hook);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    open.add(out);
    files.put(name, null);
    return out;
  }

  /** Carries {@code name} unchanged from the last commit into this one. */
  public void keep(String name) {
    checkOpen();
    Manifest last = store.manifest();
    Manifest.FileEntry entry = last == null ? null : last.files().get(name);
    if (entry == null) {
      throw new IllegalArgumentException("file \"" + name + "\" is not in the last commit of " + store.directory());
    }
    if (files.containsKey(name)) throw new IllegalArgumentException("file \"" + name + "\" is already in this commit");
    files.put(name, entry);
  }

  /** Records a metadata entry of the new manifest. */
  public void put(String key, String value) {
    checkOpen();
    userData.put(key, value);
  }

  /**
   * Makes the commit durable and current: fsyncs every new file, writes and fsyncs the manifest
   * under a temporary name, renames it over {@code MANIFEST} (the commit point), fsyncs the
   * directory, then deletes files no commit references any more.
   */
  public void commit() throws IOException {
    checkOpen();
    try {
      for (StoreOutput out : open) {
        if (!out.isClosed()) {
          throw new IllegalStateException(out.fileName() + " is still open: close every output before committing");
        }
      }
      for (StoreOutput out : open) {
        hook.before(WriteHook.Step.SYNC_FILE, out.fileName());
        out.channel().force(true);
        String name = out.fileName().substring(0, out.fileName().lastIndexOf(".g"));
        files.put(name, new Manifest.FileEntry(name, out.fileName(), out.fileLength(), out.checksum()));
      }
      closeChannels();
      Manifest manifest = new Manifest(generation, files, userData);
      store.publish(manifest, hook);
    } finally {
      finished = true;
      closeChannels();
      store.endCommit();
    }
  }

  /** Abandons the commit: deletes the files it wrote; the last commit stays current. */
  @Override
  public void close() throws IOException {
    if (finished) return;
    finished = true;
    closeChannels();
    for (StoreOutput out : open) {
      Files.deleteIfExists(store.directory().resolve(out.fileName()));
    }
    store.endCommit();
  }

  private void closeChannels() throws IOException {
    for (StoreOutput out : open) out.release();
  }

  private void checkOpen() {
    if (finished) throw new IllegalStateException("this commit is already finished");
  }
}
