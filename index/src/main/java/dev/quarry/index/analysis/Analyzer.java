package dev.quarry.index.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Turns text into the terms an inverted index stores and a query looks up. */
public interface Analyzer {

  /** Calls {@code sink} with each term of {@code text}, in order (repeats included). */
  void analyze(String text, Consumer<String> sink);

  /** The terms of {@code text}, in order. */
  default List<String> terms(String text) {
    List<String> out = new ArrayList<>();
    analyze(text, out::add);
    return out;
  }
}
