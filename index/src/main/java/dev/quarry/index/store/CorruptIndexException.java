package dev.quarry.index.store;

import java.io.IOException;

/** A file of an index is truncated, foreign, or does not match its checksum or its manifest. */
public final class CorruptIndexException extends IOException {

  private static final long serialVersionUID = 1L;

  public CorruptIndexException(String message) {
    super(message);
  }
}
