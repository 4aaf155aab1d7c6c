package dev.quarry.tokenizer;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Hugging Face tokenizer.json pipeline (WordPiece, BPE, Unigram, WordLevel) in pure Java, giving the same ids, tokens,
 * type ids and offsets as the Rust {@code tokenizers} library.
 *
 * <p>The pipeline: added tokens found in the raw text, normalizer, added tokens found in the
 * normalized text, pre-tokenizer, model, truncation, post-processor (special tokens and
 * type ids), padding. Offsets are in UTF-16 units of the input, see {@link Encoding}.
 *
 * <p>Java strings may hold unpaired surrogates, which Rust strings cannot: each one is read as
 * U+FFFD, the replacement character (so with BERT's clean_text it disappears), and offsets still
 * index the string as given. The Python binding refuses such strings instead; DJL passes the whole
 * string through a lossy conversion that turns each unpaired surrogate into three U+FFFD and also
 * garbles every other supplementary character of that string.
 *
 * <p>Instances are immutable and safe to share between threads; the {@code with*} methods return
 * adjusted copies that share the vocabulary.
 */
public final class Tokenizer {

    private final String sourceName;
    private final Model model;
    private final AddedVocabulary added;
    private final Normalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final PostProcessor postProcessor;
    private final Decoder decoder;
    private final Truncation truncation;
    private final Padding padding;

    Tokenizer(String sourceName, Model model, AddedVocabulary added, Normalizer normalizer,
              PreTokenizer preTokenizer, PostProcessor postProcessor, Decoder decoder,
              Truncation truncation, Padding padding) {
        this.sourceName = sourceName;
        this.model = model;
        this.added = added;
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.postProcessor = postProcessor;
        this.decoder = decoder;
        this.truncation = truncation;
        this.padding = padding;
    }

    /**
     * Loads a tokenizer.json file.
     *
     * @throws NoSuchFileException      if the file does not exist
     * @throws IOException               if it cannot be read
     * @throws TokenizerFormatException if it is not UTF-8 JSON, is malformed, or uses an unsupported component
     */
    public static Tokenizer fromJson(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            NoSuchFileException named = new NoSuchFileException(file.toString(), null, "tokenizer file not found");
            named.initCause(e);
            throw named;
        }
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new TokenizerFormatException(file + ": not UTF-8 text", e);
        }
        return TokenizerJson.parse(json, file.toString());
    }

    /**
     * Reads tokenizer.json content; {@code sourceName} (a file name, a resource) is what error
     * messages call it.
     *
     * @throws TokenizerFormatException if it is malformed or uses an unsupported component
     */
    public static Tokenizer fromJson(String json, String sourceName) {
        return TokenizerJson.parse(json, sourceName);
    }

    /** Encodes one text with special tokens, truncation and padding as configured. */
    public Encoding encode(String text) {
        return encode(text, null, true);
    }

    /** Encodes a pair of texts (the second gets type id 1 with BERT templates). */
    public Encoding encode(String text, String pair) {
        return encode(text, pair, true);
    }

    /** Encodes one text; without special tokens, truncation uses the whole max length. */
    public Encoding encode(String text, boolean addSpecialTokens) {
        return encode(text, null, addSpecialTokens);
    }

    /** Encodes a text and an optional pair ({@code null} for none). */
    public Encoding encode(String text, String pair, boolean addSpecialTokens) {
        EncodingBuffer e = encodeUnpadded(text, pair, addSpecialTokens);
        if (padding != null) {
            padding.apply(List.of(e));
        }
        return e.toEncoding();
    }

    /**
     * Encodes as {@link #encode(String, String, boolean)} does and also returns what truncation cut
     * off, as Hugging Face does: {@link Encoding#overflowing()} holds windows of the truncated
     * length that overlap by the truncation's stride, each with its own special tokens and
     * padding. For a pair, they are every combination of a window of one sequence with the other
     * sequence or one of its windows, in Hugging Face's order; a combination of a window with the
     * whole other sequence holds that window's combinations with the other's windows as its own
     * overflowing, as in Hugging Face. Without truncation the list is empty.
     */
    public Encoding encodeWithOverflowing(String text, String pair, boolean addSpecialTokens) {
        EncodingBuffer e = encodeUnpadded(text, pair, addSpecialTokens, true);
        if (padding != null) {
            padding.apply(List.of(e));
        }
        return e.toEncoding();
    }

    /** Encodes each text; with padding configured, all come out with the same length. */
    public List<Encoding> encodeBatch(List<String> texts) {
        return encodeBatch(texts, true);
    }

    public List<Encoding> encodeBatch(List<String> texts, boolean addSpecialTokens) {
        List<EncodingBuffer> buffers = new ArrayList<>(texts.size());
        for (String t : texts) {
            buffers.add(encodeUnpadded(t, null, addSpecialTokens));
        }
        return padAll(buffers);
    }

    /** Encodes pairs ({@code texts.get(i)}, {@code pairs.get(i)}), as for cross-encoders. */
    public List<Encoding> encodePairBatch(List<String> texts, List<String> pairs) {
        if (texts.size() != pairs.size()) {
            throw new IllegalArgumentException("encodePairBatch: " + texts.size() + " texts but " + pairs.size() + " pairs");
        }
        List<EncodingBuffer> buffers = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            buffers.add(encodeUnpadded(texts.get(i), pairs.get(i), true));
        }
        return padAll(buffers);
    }

    private List<Encoding> padAll(List<EncodingBuffer> buffers) {
        if (padding != null) {
            padding.apply(buffers);
        }
        List<Encoding> out = new ArrayList<>(buffers.size());
        for (EncodingBuffer b : buffers) {
            out.add(b.toEncoding());
        }
        return out;
    }

    /**
     * Turns ids back into text as the Rust library does: unknown ids are skipped, and the
     * WordPiece decoder's cleanup runs token by token (so "don ' t" stays as it is).
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            String token = added.idToContent(id);
            if (token == null) {
                token = model.idToToken(id);
            }
            if (token != null && !(skipSpecialTokens && added.isSpecial(token))) {
                tokens.add(token);
            }
        }
        return decoder == null ? String.join(" ", tokens) : String.join("", decoder.decodeChain(tokens));
    }

    /**
     * {@link #decode(int[], boolean)}, then, when {@code cleanUpTokenizationSpaces}, the clean-up
     * that Python transformers and transformers.js apply to the whole string ("don ' t" becomes
     * "don't").
     */
    public String decode(int[] ids, boolean skipSpecialTokens, boolean cleanUpTokenizationSpaces) {
        String text = decode(ids, skipSpecialTokens);
        return cleanUpTokenizationSpaces ? WordPieceDecoder.cleanUpTokenizationSpaces(text) : text;
    }

    /** A copy that truncates longest-first, from the right, to {@code maxLength} tokens in all. */
    public Tokenizer withTruncation(int maxLength) {
        return withTruncation(Truncation.longestFirst(maxLength));
    }

    public Tokenizer withTruncation(Truncation newTruncation) {
        return new Tokenizer(sourceName, model, added, normalizer, preTokenizer, postProcessor, decoder,
                newTruncation, padding);
    }

    public Tokenizer withoutTruncation() {
        return withTruncation((Truncation) null);
    }

    public Tokenizer withPadding(Padding newPadding) {
        return new Tokenizer(sourceName, model, added, normalizer, preTokenizer, postProcessor, decoder,
                truncation, newPadding);
    }

    public Tokenizer withoutPadding() {
        return withPadding(null);
    }

    public Optional<Truncation> truncation() {
        return Optional.ofNullable(truncation);
    }

    public Optional<Padding> padding() {
        return Optional.ofNullable(padding);
    }

    /** The truncation max length, or -1 without truncation. */
    public int maxLength() {
        return truncation == null ? -1 : truncation.maxLength();
    }

    /** Vocabulary size with the added tokens, as Hugging Face's {@code get_vocab_size(true)}. */
    public int vocabSize() {
        int size = model.size();
        for (String content : added.contentToId().keySet()) {
            if (model.tokenToId(content) < 0) {
                size++;
            }
        }
        return size;
    }

    /** Id of a token (added tokens first, then the vocabulary), or -1. */
    public int tokenToId(String token) {
        return added.tokenToId(token, model);
    }

    /** The token with this id, or null. */
    public String idToToken(int id) {
        String token = added.idToContent(id);
        return token != null ? token : model.idToToken(id);
    }

    /** What this tokenizer was loaded from, as error messages name it. */
    public String sourceName() {
        return sourceName;
    }

    @Override
    public String toString() {
        return "Tokenizer[" + sourceName + ", vocab " + vocabSize() + ", max length " + maxLength()
                + (padding == null ? ", no padding" : ", padding " + padding) + "]";
    }

    private EncodingBuffer encodeUnpadded(String text, String pair, boolean addSpecialTokens) {
        return encodeUnpadded(text, pair, addSpecialTokens, false);
    }

    private EncodingBuffer encodeUnpadded(String text, String pair, boolean addSpecialTokens, boolean windows) {
        if (text == null) {
            throw new NullPointerException("text to encode is null");
        }
        String a = replaceUnpairedSurrogates(text);
        String b = pair == null ? null : replaceUnpairedSurrogates(pair);
        int budget = truncationBudget(b != null, addSpecialTokens);
        EncodingBuffer first;
        if (!windows && b == null && budget >= 0 && truncation.direction() == Truncation.Direction.RIGHT && cutsAreSafe()) {
            first = encodePrefix(a, budget);
        } else {
            first = encodeSequence(a, 0, a.length(), 0);
        }
        EncodingBuffer second = b == null ? null : encodeSequence(b, 0, b.length(), 1);
        if (budget >= 0) {
            truncation.apply(first, second, budget, windows);
        }
        if (!first.overflowing().isEmpty() || (second != null && !second.overflowing().isEmpty())) {
            List<EncodingBuffer> overflowing = overflowingCombinations(first, second, addSpecialTokens);
            EncodingBuffer out = postProcess(first, second, addSpecialTokens);
            out.setOverflowing(overflowing);
            return out;
        }
        return postProcess(first, second, addSpecialTokens);
    }

    /**
     * The overflowing encodings exactly as Hugging Face's {@code Encoding::merge_with} builds them
     * while the post-processor's pieces are merged: for each window a of the first sequence, (a,
     * second) holding (a, each window b) as its own overflowing, then (a, each b); after all of
     * those, (first, b) for each b, holding (each a, b). Each is post-processed like a whole
     * encoding.
     */
    private List<EncodingBuffer> overflowingCombinations(EncodingBuffer first, EncodingBuffer second,
                                                         boolean addSpecialTokens) {
        List<EncodingBuffer> out = new ArrayList<>();
        List<EncodingBuffer> secondWindows = second == null ? List.of() : second.overflowing();
        for (EncodingBuffer a : first.overflowing()) {
            EncodingBuffer withSecond = postProcess(a.copy(), second == null ? null : second.copy(), addSpecialTokens);
            List<EncodingBuffer> nested = new ArrayList<>();
            for (EncodingBuffer b : secondWindows) {
                nested.add(postProcess(a.copy(), b.copy(), addSpecialTokens));
            }
            withSecond.setOverflowing(nested);
            out.add(withSecond);
            for (EncodingBuffer b : secondWindows) {
                out.add(postProcess(a.copy(), b.copy(), addSpecialTokens));
            }
        }
        for (EncodingBuffer b : secondWindows) {
            EncodingBuffer withFirst = postProcess(first.copy(), b.copy(), addSpecialTokens);
            List<EncodingBuffer> nested = new ArrayList<>();
            for (EncodingBuffer a : first.overflowing()) {
                nested.add(postProcess(a.copy(), b.copy(), addSpecialTokens));
            }
            withFirst.setOverflowing(nested);
            out.add(withFirst);
        }
        return out;
    }

    private EncodingBuffer postProcess(EncodingBuffer first, EncodingBuffer second, boolean addSpecialTokens) {
        if (postProcessor != null) {
            List<EncodingBuffer> parts = postProcessor.process(second == null ? List.of(first) : List.of(first, second),
                    addSpecialTokens);
            EncodingBuffer out = parts.get(0);
            for (int i = 1; i < parts.size(); i++) {
                out.append(parts.get(i));
            }
            return out;
        }
        if (second != null) {
            first.append(second);
        }
        return first;
    }

    /**
     * The number of tokens the sequences may keep, or -1 for no limit. Room for the special tokens
     * is taken off the max length; when they alone exceed it, the Rust library's unsigned
     * subtraction wraps around and nothing is truncated, and so it is here.
     */
    private int truncationBudget(boolean isPair, boolean addSpecialTokens) {
        if (truncation == null) {
            return -1;
        }
        int addedTokens = postProcessor == null ? 0 : postProcessor.addedTokens(isPair);
        if (addSpecialTokens && addedTokens > 0) {
            int budget = truncation.maxLength() - addedTokens;
            return budget < 0 ? -1 : budget;
        }
        return truncation.maxLength();
    }

    /**
     * Whether the tokens of a prefix that ends just before an ASCII whitespace character are
     * exactly the first tokens of the whole text. The supported normalizers keep such characters
     * as they are (or make them a plain space), every supported pre-tokenizer ends words there, and
     * added-token matches must not be able to cross them.
     */
    private boolean cutsAreSafe() {
        return preTokenizer != null && preTokenizer.endsWordsAtAsciiWhitespace()
                && (normalizer == null || normalizer.keepsAsciiWhitespaceCuts()) && added.matchesStayLocal();
    }

    /**
     * Encodes only as much of {@code text} as yields {@code needed} tokens: prefixes ending at an
     * ASCII whitespace character that follows a non-whitespace one, doubling in size, so that a long document truncated to a few
     * hundred tokens costs a few hundred tokens of work. The result equals the whole encoding
     * truncated to {@code needed} tokens (see {@link #cutsAreSafe()}).
     */
    private EncodingBuffer encodePrefix(String text, int needed) {
        long window = (long) needed * 8 + 64;
        while (window < text.length()) {
            int cut = (int) window;
            // At the start of a whitespace run: a run of whitespace may be one word (byte-level BPE).
            while (cut < text.length()
                    && !(isAsciiWhitespace(text.charAt(cut)) && !CharClasses.isWhitespace(text.charAt(cut - 1)))) {
                cut++;
            }
            if (cut >= text.length()) {
                break;
            }
            EncodingBuffer prefix = encodeSequence(text, 0, cut, 0);
            if (prefix.size() >= needed) {
                return prefix;
            }
            // Past this cut, so that a long stretch without whitespace is not tokenized again.
            window = Math.max(window * 2, cut + 1L);
        }
        return encodeSequence(text, 0, text.length(), 0);
    }

    private static boolean isAsciiWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    /** Tokenizes {@code text[from, to)} without special tokens, truncation or padding. */
    private EncodingBuffer encodeSequence(String text, int from, int to, int typeId) {
        EncodingBuffer out = new EncodingBuffer(Math.max(16, (to - from) / 4));
        NormalizedString raw = NormalizedString.of(text, from, to);
        added.splitRaw(raw, (start, end, id) -> {
            if (id >= 0) {
                addAddedToken(raw, start, end, id, typeId, out);
                return;
            }
            NormalizedString piece = start == 0 && end == raw.length() ? raw : raw.slice(start, end);
            NormalizedString normalized = normalizer == null ? piece : normalizer.normalize(piece);
            added.splitNormalized(normalized, (s, e, normalizedId) -> {
                if (normalizedId >= 0) {
                    addAddedToken(normalized, s, e, normalizedId, typeId, out);
                } else if (preTokenizer == null) {
                    model.tokenize(normalized, s, e, typeId, out);
                } else {
                    preTokenizer.split(normalized, s, e, (word, ws, we) -> model.tokenize(word, ws, we, typeId, out));
                }
            });
        });
        return out;
    }

    private static void addAddedToken(NormalizedString text, int start, int end, int id, int typeId, EncodingBuffer out) {
        out.add(id, text.substring(start, end), text.originalStart(start), text.originalEnd(end - 1), typeId, false);
    }

    /** Each unpaired surrogate becomes U+FFFD; the length, and so every offset, stays the same. */
    static String replaceUnpairedSurrogates(String s) {
        char[] chars = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                if (chars == null) {
                    chars = s.toCharArray();
                }
                chars[i] = '\uFFFD';
            }
        }
        return chars == null ? s : new String(chars);
    }
}
