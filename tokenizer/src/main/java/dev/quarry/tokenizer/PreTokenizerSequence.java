package dev.quarry.tokenizer;

import java.util.List;

/** The Hugging Face {@code Sequence} pre-tokenizer: each step splits the words the previous one made. */
record PreTokenizerSequence(List<PreTokenizer> steps) implements PreTokenizer {

    PreTokenizerSequence {
        steps = List.copyOf(steps);
    }

    @Override
    public void split(NormalizedString text, int start, int end, WordSink words) {
        splitFrom(0, text, start, end, words);
    }

    /** Steps only cut words further, so one step that ends words at whitespace is enough. */
    @Override
    public boolean endsWordsAtAsciiWhitespace() {
        boolean any = false;
        for (PreTokenizer step : steps) {
            any |= step.endsWordsAtAsciiWhitespace();
        }
        return any;
    }

    private void splitFrom(int step, NormalizedString text, int start, int end, WordSink words) {
        if (step == steps.size()) {
            words.word(text, start, end);
            return;
        }
        steps.get(step).split(text, start, end, (t, s, e) -> splitFrom(step + 1, t, s, e, words));
    }
}
