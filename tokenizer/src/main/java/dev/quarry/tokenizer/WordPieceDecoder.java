package dev.quarry.tokenizer;

import java.util.List;

/**
 * The Hugging Face {@code WordPiece} decoder: glues continuation pieces to the piece before them
 * (dropping the prefix), puts a space before every other piece, and with {@code cleanup} removes
 * tokenization spaces such as " ." token by token.
 */
record WordPieceDecoder(String prefix, boolean cleanup) implements Decoder {

    @Override
    public List<String> decodeChain(List<String> tokens) {
        List<String> out = new java.util.ArrayList<>(tokens.size());
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            if (i != 0) {
                token = token.startsWith(prefix) ? token.substring(prefix.length()) : " " + token;
            }
            out.add(cleanup ? cleanup(token) : token);
        }
        return out;
    }

    /**
     * The Rust decoder's cleanup. It runs on each token (with its leading space), so " ' " never
     * matches there: "don ' t" stays as it is.
     */
    static String cleanup(String s) {
        return s.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
                .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m").replace(" do not", " don't")
                .replace(" 's", "'s").replace(" 've", "'ve").replace(" 're", "'re");
    }

    /**
     * The {@code clean_up_tokenization} that Python transformers and transformers.js apply to the
     * whole decoded string when {@code clean_up_tokenization_spaces} is set: "don ' t" becomes "don't".
     */
    static String cleanUpTokenizationSpaces(String s) {
        return s.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
                .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m").replace(" 's", "'s")
                .replace(" 've", "'ve").replace(" 're", "'re");
    }
}
