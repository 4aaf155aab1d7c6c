package dev.quarry.tokenizer;

/**
 * How encodings are cut to a maximum length, as tokenizer.json's {@code truncation} section says.
 *
 * <p>{@code maxLength} counts every token, the special tokens of the post-processor included: room
 * for those is reserved first. What is cut off comes back as overflowing windows from
 * {@link Tokenizer#encodeWithOverflowing}: windows of the same length that overlap by
 * {@code stride} tokens, as Hugging Face's {@code overflowing}.
 *
 * @param maxLength maximum number of tokens, special tokens included
 * @param strategy  which sequence of a pair loses tokens
 * @param direction which end tokens are removed from
 * @param stride    how many tokens each overflowing window repeats from the one before it
 */
public record Truncation(int maxLength, Strategy strategy, Direction direction, int stride) {

    /** Which sequence of a pair is shortened. */
    public enum Strategy {
        /** Shorten the longer one first, so that both keep about half when both are long. */
        LONGEST_FIRST,
        ONLY_FIRST,
        ONLY_SECOND
    }

    /** Which end of a sequence loses tokens. */
    public enum Direction {
        RIGHT,
        LEFT
    }

    /** Truncation without overlap between overflowing windows. */
    public Truncation(int maxLength, Strategy strategy, Direction direction) {
        this(maxLength, strategy, direction, 0);
    }

    public Truncation {
        if (stride < 0) {
            throw new IllegalArgumentException("truncation stride must be >= 0, got " + stride);
        }
        if (maxLength < 0) {
            throw new IllegalArgumentException("truncation max length must be >= 0, got " + maxLength);
        }
        if (strategy == null || direction == null) {
            throw new IllegalArgumentException("truncation strategy and direction must be given");
        }
    }

    /** Longest-first truncation from the right, what Hugging Face does by default. */
    public static Truncation longestFirst(int maxLength) {
        return new Truncation(maxLength, Strategy.LONGEST_FIRST, Direction.RIGHT);
    }

    /**
     * Cuts {@code a} and {@code b} (null for a single sequence) so that together they hold at most
     * {@code limit} tokens, as Hugging Face's {@code truncate_encodings} does.
     */
    void apply(EncodingBuffer a, EncodingBuffer b, int limit) {
        apply(a, b, limit, false);
    }

    /**
     * As {@link #apply(EncodingBuffer, EncodingBuffer, int)}; with {@code windows}, what is cut
     * off becomes each buffer's overflowing windows.
     */
    void apply(EncodingBuffer a, EncodingBuffer b, int limit, boolean windows) {
        boolean fromLeft = direction == Direction.LEFT;
        if (limit == 0) {
            cut(a, 0, fromLeft, windows);
            if (b != null) {
                cut(b, 0, fromLeft, windows);
            }
            return;
        }
        int total = a.size() + (b == null ? 0 : b.size());
        if (total <= limit) {
            return;
        }
        int toRemove = total - limit;
        switch (strategy) {
            case LONGEST_FIRST -> {
                if (b == null) {
                    cut(a, total - toRemove, fromLeft, windows);
                    return;
                }
                int n1 = a.size();
                int n2 = b.size();
                boolean swap = n1 > n2;
                if (swap) {
                    int t = n1;
                    n1 = n2;
                    n2 = t;
                }
                n2 = n1 > limit ? n1 : Math.max(n1, limit - n1);
                if (n1 + n2 > limit) {
                    n1 = limit / 2;
                    n2 = n1 + limit % 2;
                }
                if (swap) {
                    int t = n1;
                    n1 = n2;
                    n2 = t;
                }
                cut(a, n1, fromLeft, windows);
                cut(b, n2, fromLeft, windows);
            }
            case ONLY_FIRST, ONLY_SECOND -> {
                EncodingBuffer target = strategy == Strategy.ONLY_FIRST ? a : b;
                if (target == null) {
                    throw new IllegalArgumentException("Truncation error: Second sequence not provided");
                }
                if (target.size() <= toRemove) {
                    throw new IllegalArgumentException(
                            "Truncation error: Sequence to truncate too short to respect the provided max_length");
                }
                cut(target, target.size() - toRemove, fromLeft, windows);
            }
        }
    }

    private void cut(EncodingBuffer e, int length, boolean fromLeft, boolean windows) {
        if (windows) {
            e.truncateToWindows(length, stride, fromLeft);
        } else {
            e.truncate(length, fromLeft);
        }
    }
}
