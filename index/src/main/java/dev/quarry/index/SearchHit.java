package dev.quarry.index;

/** One result of a search: the caller's id and its score (higher is more similar, see {@link Similarity}). */
public record SearchHit(long id, float score) {}
