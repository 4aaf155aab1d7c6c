package dev.quarry.tokenizer;

/** The Hugging Face normalizers that take no parameters and map to one rewrite each. */
enum SimpleNormalizer implements Normalizer {
    NFD {
        @Override
        public NormalizedString normalize(NormalizedString text) {
            return NormalizeOps.nfd(text);
        }
    },
    NFKD {
        @Override
        public NormalizedString normalize(NormalizedString text) {
            return NormalizeOps.nfkd(text);
        }
    },
    NFC {
        @Override
        public NormalizedString normalize(NormalizedString text) {
            return NormalizeOps.nfc(text);
        }
    },
    NFKC {
        @Override
        public NormalizedString normalize(NormalizedString text) {
            return NormalizeOps.nfkc(text);
        }
    },
    LOWERCASE {
        @Override
        public NormalizedString normalize(NormalizedString text) {
            return NormalizeOps.lowercase(text);
        }
    },
    /** Removes all combining marks (Mn, Mc, Me); it is meant to follow NFD, as in Hugging Face. */
    STRIP_ACCENTS {
        @Override
        public NormalizedString normalize(NormalizedString text) {
            return NormalizeOps.filter(text, c -> !CharClasses.isCombiningMark(c));
        }
    };

    @Override
    public boolean keepsAsciiWhitespaceCuts() {
        return true;
    }
}
