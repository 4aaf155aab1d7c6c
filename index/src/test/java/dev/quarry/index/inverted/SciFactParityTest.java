package dev.quarry.index.inverted;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quarry.index.analysis.EnglishAnalyzer;
import dev.quarry.index.analysis.SciFact;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * BM25 on BEIR SciFact, every query (test and train): Quarry's top 10 equals Lucene's
 * (EnglishAnalyzer, BM25Similarity(0.9, 0.4)) in ids and scores, and pruned top-k equals
 * exhaustive top-k.
 */
class SciFactParityTest {

  static List<SciFact.Doc> corpus;
  static List<SciFact.Doc> queries;
  static List<List<String>> corpusTerms = new ArrayList<>();
  static List<Map<String, Float>> queryTerms = new ArrayList<>();
  static InvertedSearcher quarry;
  static EnglishAnalyzer analyzer = new EnglishAnalyzer();

  @BeforeAll
  static void index() throws IOException {
    corpus = SciFact.corpus();
    queries = SciFact.queries();
    for (SciFact.Doc d : corpus) corpusTerms.add(analyzer.terms(d.text()));
    for (SciFact.Doc q : queries) queryTerms.add(InvertedSearcher.bagOfWords(analyzer.terms(q.text())));
    InvertedIndex index = InvertedIndex.bm25(Bm25.defaults());
    for (int i = 0; i < corpus.size(); i++) index.add(corpus.get(i).id(), corpusTerms.get(i));
    quarry = index.searcher();
  }

  @Test
  void top10EqualsLucenes() throws IOException {
    var luceneAnalyzer = new org.apache.lucene.analysis.en.EnglishAnalyzer();
    var dir = new ByteBuffersDirectory();
    IndexWriterConfig config = new IndexWriterConfig(luceneAnalyzer)
        .setSimilarity(new BM25Similarity(0.9f, 0.4f)).setRAMBufferSizeMB(256);
    try (IndexWriter w = new IndexWriter(dir, config)) {
      for (SciFact.Doc d : corpus) {
        Document doc = new Document();
        doc.add(new StoredField("id", d.id()));
        doc.add(new TextField("body", d.text(), Field.Store.NO));
        w.addDocument(doc);
      }
    }
    try (DirectoryReader reader = DirectoryReader.open(dir)) {
      IndexSearcher searcher = new IndexSearcher(reader);
      searcher.setSimilarity(new BM25Similarity(0.9f, 0.4f));
      int same = 0;
      List<String> differ = new ArrayList<>();
      for (int qi = 0; qi < queries.size(); qi++) {
        SciFact.Doc q = queries.get(qi);
        TopDocs top = searcher.search(luceneQuery(luceneAnalyzer, q.text()), 10);
        List<SearchHit> ours = quarry.search(queryTerms.get(qi), 10);
        List<String> theirIds = new ArrayList<>();
        for (ScoreDoc sd : top.scoreDocs) theirIds.add(reader.storedFields().document(sd.doc).get("id"));
        List<String> ourIds = ours.stream().map(SearchHit::id).toList();
        if (theirIds.equals(ourIds)) same++;
        else differ.add(q.id());
        for (int i = 0; i < Math.min(ours.size(), top.scoreDocs.length); i++) {
          assertEquals(top.scoreDocs[i].score, ours.get(i).score(), 1e-5f * top.scoreDocs[i].score,
              "query " + q.id() + " rank " + i);
        }
      }
      assertEquals(List.of(), differ, "queries whose top 10 differ from Lucene's");
      assertEquals(queries.size(), same);
    }
  }

  static Query luceneQuery(org.apache.lucene.analysis.Analyzer a, String text) throws IOException {
    Map<String, Integer> counts = new LinkedHashMap<>();
    try (TokenStream ts = a.tokenStream("body", new StringReader(text))) {
      CharTermAttribute t = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) counts.merge(t.toString(), 1, Integer::sum);
      ts.end();
    }
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      Query tq = new TermQuery(new Term("body", e.getKey()));
      if (e.getValue() > 1) tq = new BoostQuery(tq, e.getValue());
      b.add(tq, BooleanClause.Occur.SHOULD);
    }
    return b.build();
  }

  @Test
  void prunedTopKEqualsExhaustiveForEveryQuery() {
    for (int k : new int[] {1, 10, 1000}) {
      for (int qi = 0; qi < queries.size(); qi++) {
        Map<String, Float> query = queryTerms.get(qi);
        assertEquals(quarry.searchExhaustive(query, k), quarry.search(query, k),
            "query " + queries.get(qi).id() + " k " + k);
      }
    }
  }

  @Test
  void exactLengthVariantPrunesExactlyToo() {
    InvertedIndex index = InvertedIndex.bm25(new Bm25(0.9f, 0.4f, true));
    for (int i = 0; i < corpus.size(); i++) index.add(corpus.get(i).id(), corpusTerms.get(i));
    InvertedSearcher s = index.searcher();
    for (int qi = 0; qi < queries.size(); qi++) {
      Map<String, Float> query = queryTerms.get(qi);
      assertEquals(s.searchExhaustive(query, 10), s.search(query, 10), "query " + queries.get(qi).id());
    }
  }
}
