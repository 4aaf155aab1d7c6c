package dev.quarry.tokenizer;

import java.util.List;

/**
 * The Hugging Face {@code RobertaProcessing} post-processor: byte-level offset trimming, every type
 * id 0, and "&lt;s&gt; A &lt;/s&gt;" or "&lt;s&gt; A &lt;/s&gt; &lt;/s&gt; B &lt;/s&gt;".
 */
record RobertaProcessing(String sep, int sepId, String cls, int clsId, boolean trimOffsets, boolean addPrefixSpace)
        implements PostProcessor {

    @Override
    public int addedTokens(boolean isPair) {
        return isPair ? 4 : 2;
    }

    @Override
    public List<EncodingBuffer> process(List<EncodingBuffer> encodings, boolean addSpecialTokens) {
        for (EncodingBuffer e : encodings) {
            if (trimOffsets) {
                ByteLevelProcessing.trimOffsets(e, addPrefixSpace);
            }
            e.setTypeIds(0);
        }
        if (!addSpecialTokens) {
            return encodings;
        }
        EncodingBuffer out = new EncodingBuffer(encodings.get(0).size() + 8);
        for (int i = 0; i < encodings.size(); i++) {
            out.add(i == 0 ? clsId : sepId, i == 0 ? cls : sep, 0, 0, 0, true);
            out.append(encodings.get(i));
            out.add(sepId, sep, 0, 0, 0, true);
        }
        return List.of(out);
    }
}
