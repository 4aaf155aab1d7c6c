package dev.quarry.tokenizer;

/**
 * The byte-level alphabet of GPT-2 style tokenizers: every byte of the UTF-8 text is written as one
 * printable character (printable ASCII and Latin-1 stand for themselves, the other bytes for
 * U+0100 onwards, a space for "Ġ"), so that a BPE vocabulary never meets an unknown character.
 */
final class ByteLevel {

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + n++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    /** The character that stands for the space byte, "Ġ". */
    static final char SPACE = BYTE_TO_CHAR[' '];

    private ByteLevel() {
    }

    static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The byte a character of the alphabet stands for, or -1. */
    static int byteOf(int c) {
        return c >= 0 && c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /**
     * The units {@code [from, to)} of {@code text} written in the byte alphabet: the first byte of
     * each character takes its place, the others are inserted after it (as Hugging Face's
     * transform with changes 0, 1, 1, ...), so all of them keep that character's alignment.
     */
    static NormalizedString encode(NormalizedString text, int from, int to) {
        NormalizedString piece = from == 0 && to == text.length() ? text : text.slice(from, to);
        NormalizedString.Rewrite out = piece.rewrite(0);
        for (int i = 0; i < piece.length(); ) {
            int c = piece.codePointAt(i);
            i += Character.charCount(c);
            if (c < 0x80) {
                out.emit(BYTE_TO_CHAR[c], 0);
            } else if (c < 0x800) {
                out.emit(BYTE_TO_CHAR[0xC0 | (c >> 6)], 0);
                out.emit(BYTE_TO_CHAR[0x80 | (c & 0x3F)], 1);
            } else if (c < 0x10000) {
                out.emit(BYTE_TO_CHAR[0xE0 | (c >> 12)], 0);
                out.emit(BYTE_TO_CHAR[0x80 | ((c >> 6) & 0x3F)], 1);
                out.emit(BYTE_TO_CHAR[0x80 | (c & 0x3F)], 1);
            } else {
                out.emit(BYTE_TO_CHAR[0xF0 | (c >> 18)], 0);
                out.emit(BYTE_TO_CHAR[0x80 | ((c >> 12) & 0x3F)], 1);
                out.emit(BYTE_TO_CHAR[0x80 | ((c >> 6) & 0x3F)], 1);
                out.emit(BYTE_TO_CHAR[0x80 | (c & 0x3F)], 1);
            }
        }
        return out.finish();
    }

    /**
     * Decodes byte-alphabet text back to a string: characters outside the alphabet are kept as
     * UTF-8, and invalid UTF-8 becomes U+FFFD (Rust's {@code from_utf8_lossy}).
     */
    static String decode(String text) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            int b = byteOf(c);
            if (b >= 0) {
                bytes.write(b);
            } else {
                byte[] utf8 = new String(Character.toChars(c)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
            }
        }
        return Utf8.decodeLossy(bytes.toByteArray());
    }
}
