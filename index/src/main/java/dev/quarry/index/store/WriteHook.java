package dev.quarry.index.store;

import java.io.IOException;

/**
 * Called before every step of a commit that touches the disk, so that tests can fail a commit at
 * each of them and check that the last committed index survives. Production code uses {@link #NONE}.
 */
@FunctionalInterface
public interface WriteHook {

  /** The disk operations of a commit, in the order they happen. */
  enum Step {
    /** A new data file is created (empty). */
    CREATE_FILE,
    /** A buffer of a data file's bytes is written (a failure here leaves a torn file). */
    WRITE,
    /** A data file is fsynced. */
    SYNC_FILE,
    /** The new manifest is written to its temporary name. */
    WRITE_MANIFEST,
    /** The temporary manifest is fsynced. */
    SYNC_MANIFEST,
    /** The temporary manifest is renamed over the current one: the commit point. */
    RENAME_MANIFEST,
    /** The directory is fsynced so that the rename is durable. */
    SYNC_DIRECTORY,
    /** A file no longer referenced by the manifest is deleted. */
    DELETE_OLD
  }

  WriteHook NONE = (step, file) -> {};

  /** Runs before {@code step} on {@code file} (a file name inside the store's directory). */
  void before(Step step, String file) throws IOException;
}
