package dev.quarry.index.inverted;

/**
 * One result of an inverted-index search.
 *
 * @param id    the document's external id
 * @param doc   its number in the searcher it came from (insertion order; Lucene's tie-break)
 * @param score its score, higher is better
 */
public record SearchHit(String id, int doc, float score) {}
