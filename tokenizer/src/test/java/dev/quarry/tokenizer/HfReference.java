package dev.quarry.tokenizer;

import ai.djl.huggingface.tokenizers.jni.CharSpan;
import ai.djl.huggingface.tokenizers.jni.LibUtils;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference: the Rust Hugging Face {@code tokenizers} library (0.21, through DJL's JNI
 * binding), loaded from the same tokenizer.json text, its results converted to an {@link Encoding}.
 *
 * <p>DJL's {@code HuggingFaceTokenizer} wrapper rewrites the file's padding and truncation on
 * load (fixed padding to 128 comes out as batch-longest), so the raw binding is used: it runs the
 * file exactly as written. Its spans are in code points and {@code null} for tokens without
 * offsets; they are turned into UTF-16 offsets (0, 0 for null) here. Unpaired surrogates are
 * replaced by U+FFFD before the text goes to Rust, because DJL's own conversion would turn every
 * supplementary character of such a string into replacement characters.
 */
final class HfReference implements AutoCloseable {

    private static final TokenizersLibrary LIB;

    static {
        LibUtils.checkStatus();
        LIB = TokenizersLibrary.LIB;
    }

    private final long handle;

    HfReference(String tokenizerJson) {
        handle = LIB.createTokenizerFromString(tokenizerJson);
    }

    Encoding encode(String text) {
        return encode(text, null, true);
    }

    Encoding encode(String text, String pair, boolean addSpecialTokens) {
        String a = Tokenizer.replaceUnpairedSurrogates(text);
        String b = pair == null ? null : Tokenizer.replaceUnpairedSurrogates(pair);
        long e = b == null ? LIB.encode(handle, a, addSpecialTokens) : LIB.encodeDual(handle, a, b, addSpecialTokens);
        try {
            return convert(e, a, b);
        } finally {
            LIB.deleteEncoding(e);
        }
    }

    /** As {@link #encode(String, String, boolean)}, with the overflowing encodings, nested ones included. */
    Encoding encodeWithOverflowing(String text, String pair, boolean addSpecialTokens) {
        String a = Tokenizer.replaceUnpairedSurrogates(text);
        String b = pair == null ? null : Tokenizer.replaceUnpairedSurrogates(pair);
        long e = b == null ? LIB.encode(handle, a, addSpecialTokens) : LIB.encodeDual(handle, a, b, addSpecialTokens);
        try {
            return convertWithOverflowing(e, a, b);
        } finally {
            LIB.deleteEncoding(e);
        }
    }

    private static Encoding convertWithOverflowing(long e, String a, String b) {
        Encoding main = convert(e, a, b);
        List<Encoding> windows = new ArrayList<>();
        for (long window : LIB.getOverflowing(e)) {
            try {
                windows.add(convertWithOverflowing(window, a, b));
            } finally {
                LIB.deleteEncoding(window);
            }
        }
        return new Encoding(main.ids(), main.typeIds(), main.tokens(), main.starts(), main.ends(), main.attentionMask(),
                main.specialTokensMask(), windows);
    }

    List<Encoding> encodeBatch(List<String> texts, boolean addSpecialTokens) {
        String[] inputs = texts.stream().map(Tokenizer::replaceUnpairedSurrogates).toArray(String[]::new);
        long[] handles = LIB.batchEncode(handle, inputs, addSpecialTokens);
        List<Encoding> out = new ArrayList<>();
        for (int i = 0; i < handles.length; i++) {
            try {
                out.add(convert(handles[i], inputs[i], null));
            } finally {
                LIB.deleteEncoding(handles[i]);
            }
        }
        return out;
    }

    String decode(int[] ids, boolean skipSpecialTokens) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        return LIB.decode(handle, longs, skipSpecialTokens);
    }

    @Override
    public void close() {
        LIB.deleteTokenizer(handle);
    }

    private static Encoding convert(long e, String a, String b) {
        return convert(LIB.getTokenIds(e), LIB.getTypeIds(e), LIB.getTokens(e), LIB.getAttentionMask(e),
                LIB.getSpecialTokenMask(e), LIB.getSequenceIds(e), LIB.getTokenCharSpans(e), a, b);
    }

    /** An encoding of DJL's {@code HuggingFaceTokenizer}, for one text (not a pair) without unpaired surrogates. */
    static Encoding fromDjl(ai.djl.huggingface.tokenizers.Encoding e, String text) {
        return convert(e.getIds(), e.getTypeIds(), e.getTokens(), e.getAttentionMask(), e.getSpecialTokenMask(),
                e.getSequenceIds(), e.getCharTokenSpans(), text, null);
    }

    private static Encoding convert(long[] ids, long[] typeIds, String[] tokens, long[] attention, long[] special,
                                    long[] sequence, CharSpan[] spans, String a, String b) {
        int n = ids.length;
        int[] starts = new int[n];
        int[] ends = new int[n];
        int[] aUnits = codePointToUnit(a);
        int[] bUnits = b == null ? null : codePointToUnit(b);
        for (int i = 0; i < n; i++) {
            if (spans[i] != null) {
                int[] units = sequence[i] == 1 ? bUnits : aUnits;
                starts[i] = units[spans[i].getStart()];
                ends[i] = units[spans[i].getEnd()];
            }
        }
        return new Encoding(toInts(ids), toInts(typeIds), tokens, starts, ends, toInts(attention), toInts(special));
    }

    /** UTF-16 index of each code point index, one past the end included. */
    private static int[] codePointToUnit(String s) {
        int[] units = new int[s.codePointCount(0, s.length()) + 1];
        int u = 0;
        for (int k = 0; k < units.length; k++) {
            units[k] = u;
            if (u < s.length()) {
                u += Character.charCount(s.codePointAt(u));
            }
        }
        return units;
    }

    private static int[] toInts(long[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.toIntExact(values[i]);
        }
        return out;
    }
}
