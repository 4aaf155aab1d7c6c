package dev.quarry.index;

/** Where an opened index keeps its float vectors. */
public enum Residency {
  /**
   * Read in place from the memory-mapped file: opening costs nothing, the vectors take no heap,
   * and the operating system pages them in and out. The default.
   */
  MAPPED,
  /**
   * Copied to the heap on open (as a freshly built index keeps them): costs heap equal to the
   * vectors file and a copy on open, and float32 searches score from arrays, which C2 compiles to
   * faster code than mapped-memory loads (about 1.3× the queries per second on 100,000 384-d
   * vectors here, docs/PERFORMANCE.md). Stays mapped where the vectors exceed one Java array
   * (2^31 floats).
   */
  HEAP
}
