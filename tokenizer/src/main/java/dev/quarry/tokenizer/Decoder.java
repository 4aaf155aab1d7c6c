package dev.quarry.tokenizer;

import java.util.List;

/**
 * A Hugging Face {@code decoder}: turns tokens back into pieces of text, token by token
 * ({@code decode_chain}); the decoded text is their concatenation.
 */
interface Decoder {

    List<String> decodeChain(List<String> tokens);
}
