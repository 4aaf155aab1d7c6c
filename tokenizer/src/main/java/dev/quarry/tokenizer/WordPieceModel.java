package dev.quarry.tokenizer;

import java.util.HashMap;
import java.util.Map;

/**
 * The Hugging Face {@code WordPiece} model: greedy longest-match-first over the vocabulary, with
 * a prefix (usually "##") on pieces that continue a word. A word with more than
 * {@code maxInputCharsPerWord} code points, or with any part that matches nothing, becomes one
 * unknown token covering the whole word.
 */
final class WordPieceModel implements Model {

    private final Map<String, Integer> vocab;
    private final String[] idToToken;
    private final String unkToken;
    private final int unkId;
    private final String prefix;
    private final int maxInputCharsPerWord;
    /** No vocabulary entry is longer, so longer candidates are not looked up (same result, less work). */
    private final int longestEntry;

    WordPieceModel(Map<String, Integer> vocab, String unkToken, String prefix, int maxInputCharsPerWord) {
        this.vocab = new HashMap<>(vocab);
        int maxId = -1;
        int longest = 0;
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            maxId = Math.max(maxId, e.getValue());
            longest = Math.max(longest, e.getKey().length());
        }
        this.idToToken = new String[maxId + 1];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            idToToken[e.getValue()] = e.getKey();
        }
        this.longestEntry = longest;
        this.unkToken = unkToken;
        this.unkId = this.vocab.getOrDefault(unkToken, -1);
        this.prefix = prefix;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
    }

    /** Number of entries, as Hugging Face's {@code get_vocab_size} counts them for the model. */
    @Override
    public int size() {
        return vocab.size();
    }

    Map<String, Integer> vocab() {
        return vocab;
    }

    @Override
    public int tokenToId(String token) {
        return vocab.getOrDefault(token, -1);
    }

    @Override
    public String idToToken(int id) {
        return id >= 0 && id < idToToken.length ? idToToken[id] : null;
    }

    /** Tokenizes the word {@code [start, end)} of {@code text} and appends its tokens to {@code out}. */
    @Override
    public void tokenize(NormalizedString text, int start, int end, int typeId, EncodingBuffer out) {
        if (text.codePointCount(start, end) > maxInputCharsPerWord) {
            addUnknown(text, start, end, typeId, out);
            return;
        }
        int mark = out.size();
        int pos = start;
        while (pos < end) {
            int stop = Math.min(end, pos + longestEntry);
            if (stop < end && Character.isLowSurrogate(text.charAt(stop)) && Character.isHighSurrogate(text.charAt(stop - 1))) {
                stop--;
            }
            String piece = null;
            int id = -1;
            while (stop > pos) {
                String candidate = pos > start ? prefix + text.substring(pos, stop) : text.substring(pos, stop);
                Integer found = vocab.get(candidate);
                if (found != null) {
                    piece = candidate;
                    id = found;
                    break;
                }
                stop -= Character.isLowSurrogate(text.charAt(stop - 1)) && stop - 2 >= pos
                        && Character.isHighSurrogate(text.charAt(stop - 2)) ? 2 : 1;
            }
            if (piece == null) {
                out.truncate(mark, false);
                addUnknown(text, start, end, typeId, out);
                return;
            }
            out.add(id, piece, text.originalStart(pos), text.originalEnd(stop - 1), typeId, false);
            pos = stop;
        }
    }

    private void addUnknown(NormalizedString text, int start, int end, int typeId, EncodingBuffer out) {
        if (unkId < 0) {
            throw new IllegalStateException("WordPiece unk_token \"" + unkToken + "\" is not in the vocabulary");
        }
        out.add(unkId, unkToken, text.originalStart(start), text.originalEnd(end - 1), typeId, false);
    }
}
