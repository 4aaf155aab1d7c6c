package dev.quarry.tokenizer;

import java.util.List;

/** The Hugging Face {@code Sequence} normalizer: its steps, in order. */
record NormalizerSequence(List<Normalizer> steps) implements Normalizer {

    NormalizerSequence {
        steps = List.copyOf(steps);
    }

    @Override
    public NormalizedString normalize(NormalizedString text) {
        NormalizedString s = text;
        for (Normalizer step : steps) {
            s = step.normalize(s);
        }
        return s;
    }

    @Override
    public boolean keepsAsciiWhitespaceCuts() {
        return steps.stream().allMatch(Normalizer::keepsAsciiWhitespaceCuts);
    }
}
