package dev.quarry.tokenizer;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The added tokens of a tokenizer (special tokens such as "[CLS]" or "[MASK]" among them) and how
 * they are found in input text, as in Hugging Face's {@code AddedVocabulary}.
 *
 * <p>Tokens with {@code normalized: false} are searched in the raw input before normalization;
 * the others in each normalized stretch between those matches, with their content normalized the
 * same way. Matching is leftmost-longest and non-overlapping (an Aho-Corasick scan in the Rust
 * library); a single_word match that touches a word is skipped, not retried one character later.
 * Ids come from the model's vocabulary when the content is in it, else they follow the
 * vocabulary, as Hugging Face assigns them (the "id" written in the file is not what decides).
 */
final class AddedVocabulary {

    private final Map<String, Integer> contentToId = new HashMap<>();
    private final Map<Integer, AddedToken> idToToken = new HashMap<>();
    private final Set<String> specialContents = new HashSet<>();
    private final Patterns rawPatterns;
    private final Patterns normalizedPatterns;

    AddedVocabulary(List<AddedToken> tokens, Model model, Normalizer normalizer) {
        Map<String, AddedToken> special = new LinkedHashMap<>();
        for (AddedToken t : tokens) {
            if (t.special() && !t.content().isEmpty()) {
                special.putIfAbsent(t.content(), t);
            }
        }
        specialContents.addAll(special.keySet());
        List<AddedToken> classic = new ArrayList<>();
        // The values of idToToken, kept as a set so that the duplicate check stays O(1).
        Set<AddedToken> present = new HashSet<>();
        int maxId = -1;
        for (AddedToken t : tokens) {
            if (t.content().isEmpty() || present.contains(t)) {
                continue;
            }
            int id = tokenToId(t.content(), model);
            if (id < 0) {
                int vocabSize = model.size();
                id = maxId < 0 ? vocabSize : (maxId >= vocabSize || vocabSize == 0) ? maxId + 1 : vocabSize;
            }
            contentToId.put(t.content(), id);
            maxId = Math.max(maxId, id);
            AddedToken previous = idToToken.put(id, t);
            if (previous != null) {
                present.remove(previous);
            }
            present.add(t);
            if (!specialContents.contains(t.content())) {
                classic.add(t);
            }
        }
        List<AddedToken> all = new ArrayList<>(special.values());
        all.addAll(classic);
        List<String> raw = new ArrayList<>();
        List<Integer> rawIds = new ArrayList<>();
        List<String> norm = new ArrayList<>();
        List<Integer> normIds = new ArrayList<>();
        for (AddedToken t : all) {
            int id = tokenToId(t.content(), model);
            if (t.normalized()) {
                NormalizedString content = NormalizedString.of(t.content(), 0, t.content().length());
                norm.add(normalizer == null ? t.content() : normalizer.normalize(content).toString());
                normIds.add(id);
            } else {
                raw.add(t.content());
                rawIds.add(id);
            }
        }
        rawPatterns = new Patterns(raw, rawIds);
        normalizedPatterns = new Patterns(norm, normIds);
    }

    /** Id of an added token, else of a vocabulary entry, else -1. */
    int tokenToId(String content, Model model) {
        Integer id = contentToId.get(content);
        return id != null ? id : model.tokenToId(content);
    }

    /** Content of the added token with this id, or null. */
    String idToContent(int id) {
        AddedToken t = idToToken.get(id);
        return t == null ? null : t.content();
    }

    boolean isSpecial(String content) {
        return specialContents.contains(content);
    }

    Map<String, Integer> contentToId() {
        return contentToId;
    }

    /**
     * Whether cutting the input at an ASCII whitespace character cannot change any match before
     * the cut: no pattern contains such a character and none reaches across whitespace.
     */
    boolean matchesStayLocal() {
        for (AddedToken t : idToToken.values()) {
            if (t.lstrip() || t.rstrip()) {
                return false;
            }
        }
        return rawPatterns.freeOfAsciiWhitespace() && normalizedPatterns.freeOfAsciiWhitespace();
    }

    /** Splits raw input around the non-normalized added tokens. */
    void splitRaw(NormalizedString text, MatchSink sink) {
        findMatches(text, rawPatterns, sink);
    }

    /** Splits normalized text around the normalized added tokens. */
    void splitNormalized(NormalizedString text, MatchSink sink) {
        findMatches(text, normalizedPatterns, sink);
    }

    /** Receives consecutive stretches of text: an added token's id, or -1 for text between them. */
    @FunctionalInterface
    interface MatchSink {
        void stretch(int start, int end, int id);
    }

    private void findMatches(NormalizedString text, Patterns patterns, MatchSink sink) {
        int length = text.length();
        if (length == 0) {
            return;
        }
        if (patterns.isEmpty()) {
            sink.stretch(0, length, -1);
            return;
        }
        int startOffset = 0;
        int i = 0;
        while (i < length) {
            int match = patterns.longestAt(text, i);
            if (match < 0) {
                i += Character.charCount(text.codePointAt(i));
                continue;
            }
            int start = i;
            int stop = i + patterns.contents[match].length();
            i = stop;
            int id = patterns.ids[match];
            AddedToken token = idToToken.get(id);
            if (token.singleWord()) {
                boolean startSpace = start == 0 || !CharClasses.isRegexWord(text.codePointBefore(start));
                boolean stopSpace = stop == length || !CharClasses.isRegexWord(text.codePointAt(stop));
                if (!startSpace || !stopSpace) {
                    continue;
                }
            }
            if (token.lstrip()) {
                int newStart = start;
                while (newStart > 0) {
                    int c = text.codePointBefore(newStart);
                    if (!CharClasses.isWhitespace(c)) {
                        break;
                    }
                    newStart -= Character.charCount(c);
                }
                start = Math.max(newStart, startOffset);
            }
            if (token.rstrip()) {
                while (stop < length && CharClasses.isWhitespace(text.codePointAt(stop))) {
                    stop += Character.charCount(text.codePointAt(stop));
                }
            }
            if (startOffset < start) {
                sink.stretch(startOffset, start, -1);
            }
            sink.stretch(start, stop, id);
            startOffset = stop;
        }
        if (startOffset != length) {
            sink.stretch(startOffset, length, -1);
        }
    }

    /** A small set of literal patterns, found by their first UTF-16 unit then compared. */
    private static final class Patterns {
        final String[] contents;
        final int[] ids;
        private final BitSet firstUnits = new BitSet(65536);

        Patterns(List<String> contents, List<Integer> ids) {
            List<String> kept = new ArrayList<>();
            List<Integer> keptIds = new ArrayList<>();
            for (int k = 0; k < contents.size(); k++) {
                // An empty normalized pattern could never be matched by Aho-Corasick either.
                if (!contents.get(k).isEmpty()) {
                    kept.add(contents.get(k));
                    keptIds.add(ids.get(k));
                }
            }
            this.contents = kept.toArray(String[]::new);
            this.ids = keptIds.stream().mapToInt(Integer::intValue).toArray();
            for (String c : this.contents) {
                firstUnits.set(c.charAt(0));
            }
        }

        boolean isEmpty() {
            return contents.length == 0;
        }

        boolean freeOfAsciiWhitespace() {
            for (String c : contents) {
                if (c.indexOf(' ') >= 0 || c.indexOf('\t') >= 0 || c.indexOf('\n') >= 0 || c.indexOf('\r') >= 0) {
                    return false;
                }
            }
            return true;
        }

        /** Index of the longest pattern starting at {@code at} (the first listed among equals), or -1. */
        int longestAt(NormalizedString text, int at) {
            if (!firstUnits.get(text.charAt(at))) {
                return -1;
            }
            int best = -1;
            for (int k = 0; k < contents.length; k++) {
                String p = contents[k];
                if (at + p.length() <= text.length() && (best < 0 || p.length() > contents[best].length())
                        && regionMatches(text, at, p)) {
                    best = k;
                }
            }
            return best;
        }

        private static boolean regionMatches(NormalizedString text, int at, String p) {
            for (int j = 0; j < p.length(); j++) {
                if (text.charAt(at + j) != p.charAt(j)) {
                    return false;
                }
            }
            return true;
        }
    }
}
