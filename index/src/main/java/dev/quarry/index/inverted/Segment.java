package dev.quarry.index.inverted;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * An immutable part of an inverted index: documents numbered from 0 in the order they were
 * added, their external ids and lengths, a sorted term dictionary and the block postings. Which
 * documents are deleted is kept outside, by {@link InvertedIndex}.
 */
final class Segment {

  final String[] ids;
  final int[] lengths;
  final String[] terms;
  final Postings postings;
  /** Documents with at least one term (BM25's N), and the sum of all lengths. */
  final int docCount;
  final long sumTotalTermFreq;
  private final Map<String, Integer> termOrds;

  Segment(String[] ids, int[] lengths, String[] terms, Postings postings) {
    if (ids.length != lengths.length || terms.length != postings.terms()) {
      throw new IllegalArgumentException("segment arrays disagree");
    }
    this.ids = ids;
    this.lengths = lengths;
    this.terms = terms;
    this.postings = postings;
    int count = 0;
    long sum = 0;
    for (int len : lengths) {
      if (len > 0) count++;
      sum += len;
    }
    this.docCount = count;
    this.sumTotalTermFreq = sum;
    this.termOrds = new HashMap<>(terms.length * 2);
    for (int i = 0; i < terms.length; i++) termOrds.put(terms[i], i);
  }

  int maxDoc() {
    return ids.length;
  }

  /** The term's ordinal, or -1 when no document of this segment has it. */
  int termOrd(String term) {
    Integer ord = termOrds.get(term);
    return ord == null ? -1 : ord;
  }

  int docFreq(int ord) {
    return postings.docFreq()[ord];
  }

  /** Builds a segment from documents given as term → frequency (or quantized impact). */
  static final class Builder {
    private final Map<String, TermBuffer> buffers = new HashMap<>();
    private String[] ids = new String[64];
    private int[] lengths = new int[64];
    private int docs;

    int size() {
      return docs;
    }

    /** Adds the next document; {@code length} is its BM25 length (1 for learned sparse). */
    void add(String id, Map<String, Integer> freqs, int length) {
      if (docs == ids.length) {
        ids = Arrays.copyOf(ids, docs * 2);
        lengths = Arrays.copyOf(lengths, docs * 2);
      }
      ids[docs] = id;
      lengths[docs] = length;
      for (Map.Entry<String, Integer> e : freqs.entrySet()) {
        int f = e.getValue();
        if (f <= 0) continue;
        buffers.computeIfAbsent(e.getKey(), k -> new TermBuffer()).add(docs, f);
      }
      docs++;
    }

    /** Adds the next BM25 document as its terms in order; its length is their number. */
    void addTerms(String id, java.util.List<String> terms) {
      if (docs == ids.length) {
        ids = Arrays.copyOf(ids, docs * 2);
        lengths = Arrays.copyOf(lengths, docs * 2);
      }
      ids[docs] = id;
      lengths[docs] = terms.size();
      for (String t : terms) {
        TermBuffer b = buffers.get(t);
        if (b == null) buffers.put(t, b = new TermBuffer());
        b.addOccurrence(docs);
      }
      docs++;
    }

    Segment build() {
      String[] terms = buffers.keySet().toArray(new String[0]);
      Arrays.sort(terms);
      int[] lens = Arrays.copyOf(lengths, docs);
      PostingsWriter w = new PostingsWriter(lens);
      for (String t : terms) {
        TermBuffer b = buffers.get(t);
        w.startTerm();
        for (int i = 0; i < b.size; i++) w.add(b.docs[i], b.freqs[i]);
        w.finishTerm();
      }
      return new Segment(Arrays.copyOf(ids, docs), lens, terms, w.finish());
    }
  }

  private static final class TermBuffer {
    int[] docs = new int[4];
    int[] freqs = new int[4];
    int size;

    /** One more occurrence in {@code doc}, the newest document or a later one. */
    void addOccurrence(int doc) {
      if (size > 0 && docs[size - 1] == doc) {
        freqs[size - 1]++;
      } else {
        add(doc, 1);
      }
    }

    void add(int doc, int freq) {
      if (size == docs.length) {
        docs = Arrays.copyOf(docs, size * 2);
        freqs = Arrays.copyOf(freqs, size * 2);
      }
      docs[size] = doc;
      freqs[size] = freq;
      size++;
    }
  }
}
