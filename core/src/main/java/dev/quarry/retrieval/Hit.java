package dev.quarry.retrieval;

/** One retrieved document: its external id and the retriever's score (higher is better). */
public record Hit(String id, float score) {}
