package dev.quarry.index.inverted;

/**
 * The postings of one segment as flat arrays (layout in {@link PostingsWriter}): term {@code t}
 * owns blocks {@code termBlockStart[t]} to {@code termBlockStart[t + 1]}, block {@code k} owns
 * impacts {@code blockImpactStart[k]} to {@code blockImpactStart[k + 1]}.
 */
record Postings(int[] docFreq, int[] termBlockStart, int[] blockLastDoc, int[] blockPos,
    int[] blockImpactStart, int[] impactFreq, int[] impactLength, int[] packed) {

  int terms() {
    return docFreq.length;
  }
}
