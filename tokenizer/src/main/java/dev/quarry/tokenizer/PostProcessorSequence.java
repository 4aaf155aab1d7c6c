package dev.quarry.tokenizer;

import java.util.List;

/** The Hugging Face {@code Sequence} post-processor: each processor in turn on the encodings. */
record PostProcessorSequence(List<PostProcessor> steps) implements PostProcessor {

    PostProcessorSequence {
        steps = List.copyOf(steps);
    }

    @Override
    public int addedTokens(boolean isPair) {
        int n = 0;
        for (PostProcessor p : steps) {
            n += p.addedTokens(isPair);
        }
        return n;
    }

    @Override
    public List<EncodingBuffer> process(List<EncodingBuffer> encodings, boolean addSpecialTokens) {
        List<EncodingBuffer> current = encodings;
        for (PostProcessor p : steps) {
            current = p.process(current, addSpecialTokens);
        }
        return current;
    }
}
