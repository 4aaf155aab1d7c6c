package dev.quarry.tokenizer;

/**
 * How encodings are padded, as tokenizer.json's {@code padding} section says: to a fixed length,
 * or to the longest encoding of a batch, optionally rounded up to a multiple.
 *
 * @param strategy        fixed length, or the longest of the batch
 * @param length          the fixed length (ignored for {@link Strategy#BATCH_LONGEST})
 * @param direction       which side the padding goes
 * @param padToMultipleOf round the padded length up to a multiple of this; 0 for none
 * @param padId           id of the padding token
 * @param padTypeId       type id given to padding
 * @param padToken        text of the padding token
 */
public record Padding(Strategy strategy, int length, Direction direction, int padToMultipleOf, int padId,
                      int padTypeId, String padToken) {

    /** Fixed length, or the longest of the batch. */
    public enum Strategy {
        FIXED,
        BATCH_LONGEST
    }

    /** Which side of the tokens the padding goes. */
    public enum Direction {
        RIGHT,
        LEFT
    }

    public Padding {
        if (strategy == null || direction == null || padToken == null) {
            throw new IllegalArgumentException("padding strategy, direction and token must be given");
        }
        if (length < 0 || padToMultipleOf < 0) {
            throw new IllegalArgumentException("padding length and multiple must be >= 0");
        }
    }

    /** Pads every encoding to {@code length} with "[PAD]" (id 0) on the right. */
    public static Padding fixed(int length) {
        return new Padding(Strategy.FIXED, length, Direction.RIGHT, 0, 0, 0, "[PAD]");
    }

    /** Pads each batch to its longest encoding with "[PAD]" (id 0) on the right. */
    public static Padding batchLongest() {
        return new Padding(Strategy.BATCH_LONGEST, 0, Direction.RIGHT, 0, 0, 0, "[PAD]");
    }

    public Padding withPadToken(String token, int id) {
        return new Padding(strategy, length, direction, padToMultipleOf, id, padTypeId, token);
    }

    public Padding withPadTypeId(int typeId) {
        return new Padding(strategy, length, direction, padToMultipleOf, padId, typeId, padToken);
    }

    public Padding withDirection(Direction side) {
        return new Padding(strategy, length, side, padToMultipleOf, padId, padTypeId, padToken);
    }

    public Padding withPadToMultipleOf(int multiple) {
        return new Padding(strategy, length, direction, multiple, padId, padTypeId, padToken);
    }

    /** Pads all of {@code batch} to the same length, as Hugging Face's {@code pad_encodings} does. */
    void apply(java.util.List<EncodingBuffer> batch) {
        if (batch.isEmpty()) {
            return;
        }
        int target = length;
        if (strategy == Strategy.BATCH_LONGEST) {
            target = 0;
            for (EncodingBuffer e : batch) {
                target = Math.max(target, e.size());
            }
        }
        if (padToMultipleOf > 0 && target % padToMultipleOf > 0) {
            target += padToMultipleOf - target % padToMultipleOf;
        }
        for (EncodingBuffer e : batch) {
            e.pad(target, padId, padTypeId, padToken, direction == Direction.LEFT);
        }
    }
}
