package dev.quarry.tokenizer;

import java.util.HashMap;
import java.util.Map;

/** The Hugging Face {@code WordLevel} model: each word is one vocabulary entry, else the unknown token. */
final class WordLevelModel implements Model {

    private final Map<String, Integer> vocab;
    private final String[] idToToken;
    private final String unkToken;

    WordLevelModel(Map<String, Integer> vocab, String unkToken) {
        this.vocab = new HashMap<>(vocab);
        int maxId = -1;
        for (int id : vocab.values()) {
            maxId = Math.max(maxId, id);
        }
        this.idToToken = new String[maxId + 1];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            idToToken[e.getValue()] = e.getKey();
        }
        this.unkToken = unkToken;
    }

    @Override
    public void tokenize(NormalizedString text, int start, int end, int typeId, EncodingBuffer out) {
        String word = text.substring(start, end);
        Integer id = vocab.get(word);
        if (id == null) {
            id = vocab.get(unkToken);
            if (id == null) {
                throw new IllegalStateException("WordLevel: \"" + word + "\" is not in the vocabulary and neither is unk_token \""
                        + unkToken + "\"");
            }
            word = unkToken;
        }
        out.add(id, word, text.originalStart(start), text.originalEnd(end - 1), typeId, false);
    }

    @Override
    public int tokenToId(String token) {
        return vocab.getOrDefault(token, -1);
    }

    @Override
    public String idToToken(int id) {
        return id >= 0 && id < idToToken.length ? idToToken[id] : null;
    }

    @Override
    public int size() {
        return vocab.size();
    }
}
