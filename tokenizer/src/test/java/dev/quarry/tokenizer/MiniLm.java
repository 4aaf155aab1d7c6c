package dev.quarry.tokenizer;

/** The all-MiniLM-L6-v2 tokenizer the unit tests use, loaded once. */
final class MiniLm {

    /** As its tokenizer.json configures it: truncation 128, fixed padding to 128. */
    static final Tokenizer AS_CONFIGURED =
            Tokenizer.fromJson(TestText.resource("all-minilm-l6-v2-tokenizer.json"), "all-minilm-l6-v2-tokenizer.json");

    /** Neither truncation nor padding: every token of the input. */
    static final Tokenizer PLAIN = AS_CONFIGURED.withoutTruncation().withoutPadding();

    private MiniLm() {
    }
}
