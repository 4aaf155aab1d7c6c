package dev.quarry.tokenizer;

import java.util.List;
import java.util.Map;

/**
 * The Hugging Face {@code TemplateProcessing} post-processor: lays out the special tokens and the
 * sequences, and gives each its type id. {@code BertProcessing} is the template
 * "[CLS] $A [SEP]" / "[CLS] $A [SEP] $B:1 [SEP]:1" and is built as one.
 */
final class TemplateProcessing implements PostProcessor {

    /** One element of a template: sequence "A" or "B", or the special token named {@code id}. */
    record Piece(boolean sequence, String id, int typeId) {
    }

    /** A named special token of the template; it may stand for several ids. */
    record SpecialToken(String id, int[] ids, String[] tokens) {
    }

    private final List<Piece> single;
    private final List<Piece> pair;
    private final Map<String, SpecialToken> specialTokens;

    TemplateProcessing(List<Piece> single, List<Piece> pair, Map<String, SpecialToken> specialTokens) {
        this.single = List.copyOf(single);
        this.pair = List.copyOf(pair);
        this.specialTokens = Map.copyOf(specialTokens);
    }

    static TemplateProcessing bert(String cls, int clsId, String sep, int sepId) {
        return new TemplateProcessing(
                List.of(new Piece(false, cls, 0), new Piece(true, "A", 0), new Piece(false, sep, 0)),
                List.of(new Piece(false, cls, 0), new Piece(true, "A", 0), new Piece(false, sep, 0),
                        new Piece(true, "B", 1), new Piece(false, sep, 1)),
                Map.of(cls, new SpecialToken(cls, new int[] {clsId}, new String[] {cls}),
                        sep, new SpecialToken(sep, new int[] {sepId}, new String[] {sep})));
    }

    @Override
    public int addedTokens(boolean isPair) {
        int n = 0;
        for (Piece p : isPair ? pair : single) {
            if (!p.sequence()) {
                SpecialToken t = specialTokens.get(p.id());
                n += t == null ? 0 : t.ids().length;
            }
        }
        return n;
    }

    /**
     * Applies the template. Sequences take the template's type ids even without special tokens,
     * as in Hugging Face.
     */
    @Override
    public List<EncodingBuffer> process(List<EncodingBuffer> encodings, boolean addSpecialTokens) {
        return List.of(process(encodings.get(0), encodings.size() > 1 ? encodings.get(1) : null, addSpecialTokens));
    }

    EncodingBuffer process(EncodingBuffer a, EncodingBuffer b, boolean addSpecialTokens) {
        EncodingBuffer out = new EncodingBuffer(a.size() + (b == null ? 0 : b.size()) + 4);
        for (Piece p : b == null ? single : pair) {
            if (p.sequence()) {
                EncodingBuffer s = "A".equals(p.id()) ? a : b;
                s.setTypeIds(p.typeId());
                out.append(s);
            } else if (addSpecialTokens) {
                SpecialToken t = specialTokens.get(p.id());
                for (int k = 0; k < t.ids().length; k++) {
                    out.add(t.ids()[k], t.tokens()[k], 0, 0, p.typeId(), true);
                }
            }
        }
        return out;
    }
}
