package dev.quarry.index;

/** Where an opened index keeps the vectors its searches read. */
public enum Residency {
  /**
   * Read in place from the memory-mapped file: the float vectors and int8 codes take no heap, and
   * the operating system pages them in and out. The default. What a search walks at random and
   * is small is on the heap whatever the residency: the graph, a float32 index's sign sketch
   * ({@code vectors.SignSketch}, 52 bytes a 384-d vector, made on open) and binary codes (56).
   */
  MAPPED,
  /**
   * Copied to the heap on open, as a freshly built index keeps them: the float vectors, and for
   * int8 the codes the graph is walked with. Costs heap equal to those files and a copy on open;
   * searches score from arrays, which C2 compiles to faster code than mapped-memory loads (about
   * 1.3× the queries per second on 100,000 384-d vectors here, docs/PERFORMANCE.md). What exceeds
   * one Java array (2^31 elements) stays mapped.
   */
  HEAP
}
