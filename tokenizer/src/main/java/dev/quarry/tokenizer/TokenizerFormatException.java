package dev.quarry.tokenizer;

/**
 * A tokenizer.json that cannot be used: malformed, or asking for a component Quarry does not
 * implement. The message names the file and the JSON path of the problem.
 */
public final class TokenizerFormatException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public TokenizerFormatException(String message) {
        super(message);
    }

    public TokenizerFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
