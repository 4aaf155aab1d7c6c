package dev.quarry.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Hugging Face tokenizer.json into a {@link Tokenizer}, refusing what it cannot honour
 * exactly. Every error names the source and the JSON path, and for an unsupported component lists
 * what is supported.
 */
final class TokenizerJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final String NORMALIZERS =
            "BertNormalizer, Sequence, NFD, NFKD, NFC, NFKC, Lowercase, StripAccents, Precompiled, Strip, Prepend, Replace are";
    private static final String PRE_TOKENIZERS =
            "BertPreTokenizer, Whitespace, WhitespaceSplit, ByteLevel, Metaspace, Split, Punctuation, Digits, CharDelimiterSplit, Sequence are";
    private static final String POST_PROCESSORS = "TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence are";
    private static final String DECODERS =
            "WordPiece, ByteLevel, Metaspace, BPEDecoder, ByteFallback, Fuse, Strip, Replace, Sequence are";
    private static final String MODELS = "WordPiece, BPE, Unigram, WordLevel are";

    private final String source;

    private TokenizerJson(String source) {
        this.source = source;
    }

    static Tokenizer parse(String json, String source) {
        return new TokenizerJson(source).parse(json);
    }

    private Tokenizer parse(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            var where = e.getLocation();
            throw new TokenizerFormatException(source + ": malformed JSON"
                    + (where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr())
                    + ": " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new TokenizerFormatException(source + ": not a tokenizer.json (the top level must be a JSON object)");
        }
        Model model = model(required(root, "model", "model"));
        Normalizer normalizer = normalizer(root.get("normalizer"), "normalizer");
        PreTokenizer preTokenizer = preTokenizer(root.get("pre_tokenizer"), "pre_tokenizer");
        List<AddedToken> addedTokens = addedTokens(root.get("added_tokens"));
        AddedVocabulary added = new AddedVocabulary(addedTokens, model, normalizer);
        PostProcessor postProcessor = postProcessor(root.get("post_processor"), "post_processor");
        Decoder decoder = decoder(root.get("decoder"), "decoder");
        Truncation truncation = truncation(root.get("truncation"));
        Padding padding = padding(root.get("padding"));
        return new Tokenizer(source, model, added, normalizer, preTokenizer, postProcessor, decoder, truncation, padding);
    }

    private Model model(JsonNode node) {
        requireObject(node, "model");
        String type = node.hasNonNull("type") ? string(node, "type", "model", null) : inferModelType(node);
        return switch (type) {
            case "WordPiece" -> wordPiece(node);
            case "BPE" -> bpe(node);
            case "Unigram" -> unigram(node);
            case "WordLevel" -> new WordLevelModel(vocab(node), string(node, "unk_token", "model", "<unk>"));
            default -> throw unsupported("model.type", type, MODELS);
        };
    }

    private Map<String, Integer> vocab(JsonNode node) {
        JsonNode vocabNode = required(node, "vocab", "model");
        if (!vocabNode.isObject()) {
            throw new TokenizerFormatException(source + ": model.vocab must be an object of token to id, found "
                    + kind(vocabNode));
        }
        Map<String, Integer> vocab = new HashMap<>(vocabNode.size() * 2);
        for (Map.Entry<String, JsonNode> e : vocabNode.properties()) {
            JsonNode id = e.getValue();
            if (!id.canConvertToInt() || !id.isIntegralNumber() || id.intValue() < 0) {
                throw new TokenizerFormatException(source + ": model.vocab[\"" + e.getKey()
                        + "\"] must be a non-negative integer id, found " + id);
            }
            vocab.put(e.getKey(), id.intValue());
        }
        return vocab;
    }

    private WordPieceModel wordPiece(JsonNode node) {
        Map<String, Integer> vocab = vocab(node);
        String unk = string(node, "unk_token", "model", "[UNK]");
        String prefix = string(node, "continuing_subword_prefix", "model", "##");
        int maxChars = integer(node, "max_input_chars_per_word", "model", 100);
        return new WordPieceModel(vocab, unk, prefix, maxChars);
    }

    private BpeModel bpe(JsonNode node) {
        Map<String, Integer> vocab = vocab(node);
        JsonNode mergesNode = node.get("merges");
        List<String[]> merges = new ArrayList<>();
        if (mergesNode != null && !mergesNode.isNull()) {
            requireArray(mergesNode, "model.merges");
            for (int i = 0; i < mergesNode.size(); i++) {
                JsonNode m = mergesNode.get(i);
                if (m.isTextual()) {
                    String[] parts = m.asText().split(" ", -1);
                    if (parts.length != 2) {
                        throw new TokenizerFormatException(source + ": model.merges[" + i + "] \"" + m.asText()
                                + "\" must be two tokens separated by one space");
                    }
                    merges.add(parts);
                } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
                    merges.add(new String[] {m.get(0).asText(), m.get(1).asText()});
                } else {
                    throw new TokenizerFormatException(source + ": model.merges[" + i
                            + "] must be \"a b\" or [\"a\", \"b\"], found " + kind(m));
                }
            }
        }
        if (node.hasNonNull("dropout") && node.get("dropout").asDouble() > 0) {
            throw new TokenizerFormatException(source + ": model.dropout " + node.get("dropout")
                    + " is not supported (BPE dropout is random; only null or 0 is)");
        }
        try {
            return new BpeModel(vocab, merges, nullableString(node, "unk_token", "model"),
                    emptyAsNull(nullableString(node, "continuing_subword_prefix", "model")),
                    emptyAsNull(nullableString(node, "end_of_word_suffix", "model")),
                    bool(node, "fuse_unk", "model", false), bool(node, "byte_fallback", "model", false),
                    bool(node, "ignore_merges", "model", false));
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(source + ": model." + e.getMessage(), e);
        }
    }

    /** The Rust library treats an empty prefix or suffix like none. */
    private static String emptyAsNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private String nullableString(JsonNode node, String field, String path) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        return string(node, field, path, null);
    }

    private UnigramModel unigram(JsonNode node) {
        JsonNode vocabNode = required(node, "vocab", "model");
        requireArray(vocabNode, "model.vocab");
        List<String> pieces = new ArrayList<>(vocabNode.size());
        List<Double> scores = new ArrayList<>(vocabNode.size());
        for (int i = 0; i < vocabNode.size(); i++) {
            JsonNode e = vocabNode.get(i);
            if (!e.isArray() || e.size() != 2 || !e.get(0).isTextual() || !e.get(1).isNumber()) {
                throw new TokenizerFormatException(source + ": model.vocab[" + i + "] must be [piece, score], found " + kind(e));
            }
            pieces.add(e.get(0).asText());
            scores.add(e.get(1).asDouble());
        }
        JsonNode unk = node.get("unk_id");
        int unkId = unk == null || unk.isNull() ? -1 : integer(node, "unk_id", "model", -1);
        if (unkId >= pieces.size()) {
            throw new TokenizerFormatException(source + ": model.unk_id " + unkId + " is not below the vocabulary size " + pieces.size());
        }
        if (unkId >= 0 && pieces.isEmpty()) {
            throw new TokenizerFormatException(source + ": model.vocab is empty but unk_id is set");
        }
        return new UnigramModel(pieces, scores, unkId, bool(node, "byte_fallback", "model", false));
    }

    /** The Rust loader accepts a model without "type" and recognises it by its fields. */
    private String inferModelType(JsonNode node) {
        if (node.has("merges")) {
            return "BPE";
        }
        if (node.has("continuing_subword_prefix") || node.has("max_input_chars_per_word")) {
            return "WordPiece";
        }
        if (node.has("vocab") && node.get("vocab").isArray()) {
            return "Unigram";
        }
        throw new TokenizerFormatException(source + ": model.type is missing and the model's fields do not identify it");
    }

    private Normalizer normalizer(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return null;
        }
        requireObject(node, path);
        String type = string(node, "type", path, null);
        return switch (type) {
            case "BertNormalizer" -> {
                boolean lowercase = bool(node, "lowercase", path, true);
                JsonNode strip = node.get("strip_accents");
                boolean stripAccents = strip == null || strip.isNull() ? lowercase : bool(node, "strip_accents", path, lowercase);
                yield new BertNormalizer(bool(node, "clean_text", path, true),
                        bool(node, "handle_chinese_chars", path, true), stripAccents, lowercase);
            }
            case "Sequence" -> {
                JsonNode list = required(node, "normalizers", path);
                requireArray(list, path + ".normalizers");
                List<Normalizer> steps = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    steps.add(normalizer(list.get(i), path + ".normalizers[" + i + "]"));
                }
                yield new NormalizerSequence(steps);
            }
            case "NFD" -> SimpleNormalizer.NFD;
            case "NFKD" -> SimpleNormalizer.NFKD;
            case "NFC" -> SimpleNormalizer.NFC;
            case "NFKC" -> SimpleNormalizer.NFKC;
            case "Lowercase" -> SimpleNormalizer.LOWERCASE;
            case "StripAccents" -> SimpleNormalizer.STRIP_ACCENTS;
            case "Precompiled" -> precompiled(node, path);
            case "Strip" -> new TextNormalizers.Strip(bool(node, "strip_left", path, true), bool(node, "strip_right", path, true));
            case "Prepend" -> new TextNormalizers.Prepend(string(node, "prepend", path, null));
            case "Replace" -> {
                JsonNode pattern = required(node, "pattern", path);
                String content = string(node, "content", path, null);
                if (pattern.hasNonNull("String")) {
                    yield new TextNormalizers.Replace(string(pattern, "String", path + ".pattern", null), null, content);
                }
                yield new TextNormalizers.Replace(null, regex(pattern, path + ".pattern"), content);
            }
            default -> throw unsupported(path + ".type", type, NORMALIZERS);
        };
    }

    private PreTokenizer preTokenizer(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return null;
        }
        requireObject(node, path);
        String type = string(node, "type", path, null);
        return switch (type) {
            case "BertPreTokenizer" -> BertPreTokenizer.INSTANCE;
            case "Whitespace" -> WhitespacePreTokenizer.INSTANCE;
            case "WhitespaceSplit" -> WhitespaceSplitPreTokenizer.INSTANCE;
            case "ByteLevel" -> new ByteLevelPreTokenizer(bool(node, "add_prefix_space", path, true), bool(node, "use_regex", path, true));
            case "Metaspace" -> new MetaspacePreTokenizer(replacement(node, path), prependScheme(node, path),
                    bool(node, "split", path, true));
            case "Split" -> {
                JsonNode pattern = required(node, "pattern", path);
                requireObject(pattern, path + ".pattern");
                java.util.regex.Pattern regex = pattern.hasNonNull("String")
                        ? java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(string(pattern, "String", path + ".pattern", null)))
                        : splitRegex(pattern, path + ".pattern");
                yield SplitPreTokenizer.regex(regex, behavior(node, path, null), bool(node, "invert", path, false));
            }
            case "Punctuation" -> SplitPreTokenizer.punctuation(behavior(node, path, SplitPreTokenizer.Behavior.ISOLATED));
            case "Digits" -> SplitPreTokenizer.digits(bool(node, "individual_digits", path, false));
            case "CharDelimiterSplit" -> {
                String delimiter = string(node, "delimiter", path, null);
                if (delimiter.codePointCount(0, delimiter.length()) != 1) {
                    throw new TokenizerFormatException(source + ": " + path + ".delimiter must be one character, found \""
                            + delimiter + "\"");
                }
                yield SplitPreTokenizer.charDelimiter(delimiter.codePointAt(0));
            }
            case "Sequence" -> {
                JsonNode list = required(node, "pretokenizers", path);
                requireArray(list, path + ".pretokenizers");
                List<PreTokenizer> steps = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    steps.add(preTokenizer(list.get(i), path + ".pretokenizers[" + i + "]"));
                }
                yield new PreTokenizerSequence(steps);
            }
            default -> throw unsupported(path + ".type", type, PRE_TOKENIZERS);
        };
    }

    private List<AddedToken> addedTokens(JsonNode node) {
        List<AddedToken> tokens = new ArrayList<>();
        if (node == null || node.isNull()) {
            return tokens;
        }
        requireArray(node, "added_tokens");
        for (int i = 0; i < node.size(); i++) {
            String path = "added_tokens[" + i + "]";
            JsonNode t = node.get(i);
            requireObject(t, path);
            tokens.add(new AddedToken(string(t, "content", path, null), bool(t, "single_word", path, false),
                    bool(t, "lstrip", path, false), bool(t, "rstrip", path, false), bool(t, "normalized", path, true),
                    bool(t, "special", path, false)));
        }
        return tokens;
    }

    private PostProcessor postProcessor(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return null;
        }
        requireObject(node, path);
        String type = string(node, "type", path, null);
        return switch (type) {
            case "TemplateProcessing" -> template(node, path);
            case "BertProcessing" -> {
                JsonNode cls = required(node, "cls", path);
                JsonNode sep = required(node, "sep", path);
                yield TemplateProcessing.bert(pairToken(cls, path + ".cls"), pairId(cls, path + ".cls"),
                        pairToken(sep, path + ".sep"), pairId(sep, path + ".sep"));
            }
            case "RobertaProcessing" -> {
                JsonNode cls = required(node, "cls", path);
                JsonNode sep = required(node, "sep", path);
                yield new RobertaProcessing(pairToken(sep, path + ".sep"), pairId(sep, path + ".sep"),
                        pairToken(cls, path + ".cls"), pairId(cls, path + ".cls"), bool(node, "trim_offsets", path, true),
                        bool(node, "add_prefix_space", path, true));
            }
            case "ByteLevel" -> new ByteLevelProcessing(bool(node, "trim_offsets", path, true), bool(node, "add_prefix_space", path, true));
            case "Sequence" -> {
                JsonNode list = required(node, "processors", path);
                requireArray(list, path + ".processors");
                List<PostProcessor> steps = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    steps.add(postProcessor(list.get(i), path + ".processors[" + i + "]"));
                }
                yield new PostProcessorSequence(steps);
            }
            default -> throw unsupported(path + ".type", type, POST_PROCESSORS);
        };
    }

    private Normalizer precompiled(JsonNode node, String path) {
        String charsmap = string(node, "precompiled_charsmap", path, null);
        byte[] bytes;
        try {
            bytes = java.util.Base64.getDecoder().decode(charsmap);
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(source + ": " + path + ".precompiled_charsmap is not base64: " + e.getMessage(), e);
        }
        try {
            return new PrecompiledNormalizer(bytes);
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(source + ": " + path + "." + e.getMessage(), e);
        }
    }

    private java.util.regex.Pattern regex(JsonNode pattern, String path) {
        requireObject(pattern, path);
        String regex = string(pattern, "Regex", path, null);
        try {
            return java.util.regex.Pattern.compile(regex);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new TokenizerFormatException(source + ": " + path + ".Regex \"" + regex + "\" is not a regex Quarry can run: "
                    + e.getDescription(), e);
        }
    }

    /** A Split regex, compiled to behave as Oniguruma does (see {@link SplitPreTokenizer#ONIGURUMA_FLAGS}). */
    private java.util.regex.Pattern splitRegex(JsonNode pattern, String path) {
        String regex = string(pattern, "Regex", path, null);
        try {
            return java.util.regex.Pattern.compile(SplitPreTokenizer.javaRegex(regex), SplitPreTokenizer.ONIGURUMA_FLAGS);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new TokenizerFormatException(source + ": " + path + ".Regex \"" + regex + "\" is not a regex Quarry can run: "
                    + e.getDescription(), e);
        }
    }

    private SplitPreTokenizer.Behavior behavior(JsonNode node, String path, SplitPreTokenizer.Behavior fallback) {
        if (!node.hasNonNull("behavior") && fallback != null) {
            return fallback;
        }
        String value = string(node, "behavior", path, null);
        return switch (value) {
            case "Removed" -> SplitPreTokenizer.Behavior.REMOVED;
            case "Isolated" -> SplitPreTokenizer.Behavior.ISOLATED;
            case "MergedWithPrevious" -> SplitPreTokenizer.Behavior.MERGED_WITH_PREVIOUS;
            case "MergedWithNext" -> SplitPreTokenizer.Behavior.MERGED_WITH_NEXT;
            case "Contiguous" -> SplitPreTokenizer.Behavior.CONTIGUOUS;
            default -> throw unsupported(path + ".behavior", value,
                    "Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous are");
        };
    }

    private int replacement(JsonNode node, String path) {
        String r = string(node, "replacement", path, "\u2581");
        if (r.codePointCount(0, r.length()) != 1) {
            throw new TokenizerFormatException(source + ": " + path + ".replacement must be one character, found \"" + r + "\"");
        }
        return r.codePointAt(0);
    }

    private MetaspacePreTokenizer.PrependScheme prependScheme(JsonNode node, String path) {
        if (!node.hasNonNull("prepend_scheme")) {
            // Files written before prepend_scheme existed say add_prefix_space.
            return bool(node, "add_prefix_space", path, true) ? MetaspacePreTokenizer.PrependScheme.ALWAYS
                    : MetaspacePreTokenizer.PrependScheme.NEVER;
        }
        return switch (string(node, "prepend_scheme", path, null)) {
            case "always" -> MetaspacePreTokenizer.PrependScheme.ALWAYS;
            case "never" -> MetaspacePreTokenizer.PrependScheme.NEVER;
            case "first" -> MetaspacePreTokenizer.PrependScheme.FIRST;
            default -> throw unsupported(path + ".prepend_scheme", node.get("prepend_scheme").asText(), "always, never, first are");
        };
    }

    private TemplateProcessing template(JsonNode node, String path) {
        Map<String, TemplateProcessing.SpecialToken> specials = new LinkedHashMap<>();
        JsonNode specialNode = node.get("special_tokens");
        if (specialNode != null && !specialNode.isNull()) {
            requireObject(specialNode, path + ".special_tokens");
            for (Map.Entry<String, JsonNode> e : specialNode.properties()) {
                String p = path + ".special_tokens[\"" + e.getKey() + "\"]";
                JsonNode t = e.getValue();
                requireObject(t, p);
                JsonNode ids = required(t, "ids", p);
                JsonNode toks = required(t, "tokens", p);
                requireArray(ids, p + ".ids");
                requireArray(toks, p + ".tokens");
                if (ids.size() != toks.size()) {
                    throw new TokenizerFormatException(source + ": " + p + " has " + ids.size() + " ids but "
                            + toks.size() + " tokens");
                }
                int[] idArray = new int[ids.size()];
                String[] tokArray = new String[toks.size()];
                for (int i = 0; i < idArray.length; i++) {
                    if (!ids.get(i).canConvertToInt() || !ids.get(i).isIntegralNumber()) {
                        throw new TokenizerFormatException(source + ": " + p + ".ids[" + i + "] must be an integer");
                    }
                    idArray[i] = ids.get(i).intValue();
                    tokArray[i] = toks.get(i).asText();
                }
                specials.put(e.getKey(), new TemplateProcessing.SpecialToken(e.getKey(), idArray, tokArray));
            }
        }
        List<TemplateProcessing.Piece> single = templatePieces(required(node, "single", path), path + ".single", specials);
        List<TemplateProcessing.Piece> pair = templatePieces(required(node, "pair", path), path + ".pair", specials);
        return new TemplateProcessing(single, pair, specials);
    }

    /** A template is a list of pieces in tokenizer.json, or the string form such as "[CLS] $A [SEP]". */
    private List<TemplateProcessing.Piece> templatePieces(JsonNode node, String path,
                                                          Map<String, TemplateProcessing.SpecialToken> specials) {
        List<TemplateProcessing.Piece> pieces = new ArrayList<>();
        if (node.isTextual()) {
            for (String part : node.asText().trim().split("\\s+")) {
                if (!part.isEmpty()) {
                    pieces.add(templatePiece(part, path));
                }
            }
        } else {
            requireArray(node, path);
            for (int i = 0; i < node.size(); i++) {
                String p = path + "[" + i + "]";
                JsonNode piece = node.get(i);
                if (piece.isTextual()) {
                    pieces.add(templatePiece(piece.asText(), p));
                } else if (piece.has("Sequence")) {
                    JsonNode s = piece.get("Sequence");
                    String id = string(s, "id", p + ".Sequence", null);
                    if (!id.equals("A") && !id.equals("B")) {
                        throw new TokenizerFormatException(source + ": " + p + ".Sequence.id must be \"A\" or \"B\", found \"" + id + "\"");
                    }
                    pieces.add(new TemplateProcessing.Piece(true, id, integer(s, "type_id", p + ".Sequence", 0)));
                } else if (piece.has("SpecialToken")) {
                    JsonNode s = piece.get("SpecialToken");
                    pieces.add(new TemplateProcessing.Piece(false, string(s, "id", p + ".SpecialToken", null),
                            integer(s, "type_id", p + ".SpecialToken", 0)));
                } else {
                    throw new TokenizerFormatException(source + ": " + p + " must be a {\"Sequence\": ...} or {\"SpecialToken\": ...} piece");
                }
            }
        }
        for (TemplateProcessing.Piece piece : pieces) {
            if (!piece.sequence() && !specials.containsKey(piece.id())) {
                throw new TokenizerFormatException(source + ": " + path + " uses the special token \"" + piece.id()
                        + "\" that post_processor.special_tokens does not define");
            }
        }
        return pieces;
    }

    private TemplateProcessing.Piece templatePiece(String part, String path) {
        String name = part;
        int typeId = 0;
        int colon = part.lastIndexOf(':');
        if (colon > 0) {
            try {
                typeId = Integer.parseInt(part.substring(colon + 1));
                name = part.substring(0, colon);
            } catch (NumberFormatException e) {
                throw new TokenizerFormatException(source + ": " + path + ": bad type id in template piece \"" + part + "\"", e);
            }
        }
        if (name.startsWith("$")) {
            String id = switch (name) {
                case "$", "$A", "$0" -> "A";
                case "$B", "$1" -> "B";
                default -> throw new TokenizerFormatException(source + ": " + path + ": unknown sequence \"" + name + "\" in template");
            };
            return new TemplateProcessing.Piece(true, id, typeId);
        }
        return new TemplateProcessing.Piece(false, name, typeId);
    }

    private String pairToken(JsonNode node, String path) {
        if (!node.isArray() || node.size() != 2 || !node.get(0).isTextual()) {
            throw new TokenizerFormatException(source + ": " + path + " must be a [token, id] pair, found " + node);
        }
        return node.get(0).asText();
    }

    private int pairId(JsonNode node, String path) {
        if (!node.get(1).canConvertToInt() || !node.get(1).isIntegralNumber()) {
            throw new TokenizerFormatException(source + ": " + path + " must be a [token, id] pair, found " + node);
        }
        return node.get(1).intValue();
    }

    private Decoder decoder(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return null;
        }
        requireObject(node, path);
        String type = string(node, "type", path, null);
        return switch (type) {
            case "WordPiece" -> new WordPieceDecoder(string(node, "prefix", path, "##"), bool(node, "cleanup", path, true));
            case "ByteLevel" -> Decoders.ByteLevelDecoder.INSTANCE;
            case "Metaspace" -> new Decoders.MetaspaceDecoder(replacement(node, path),
                    prependScheme(node, path) != MetaspacePreTokenizer.PrependScheme.NEVER);
            case "BPEDecoder" -> new Decoders.BpeDecoder(string(node, "suffix", path, "</w>"));
            case "ByteFallback" -> Decoders.ByteFallbackDecoder.INSTANCE;
            case "Fuse" -> Decoders.FuseDecoder.INSTANCE;
            case "Strip" -> {
                String content = string(node, "content", path, " ");
                yield new Decoders.StripDecoder(content.codePointAt(0), integer(node, "start", path, 0), integer(node, "stop", path, 0));
            }
            case "Replace" -> {
                JsonNode pattern = required(node, "pattern", path);
                if (!pattern.hasNonNull("String")) {
                    throw unsupported(path + ".pattern", pattern.toString(), "only {\"String\": ...} patterns are");
                }
                yield new Decoders.ReplaceDecoder(string(pattern, "String", path + ".pattern", null), string(node, "content", path, null));
            }
            case "Sequence" -> {
                JsonNode list = required(node, "decoders", path);
                requireArray(list, path + ".decoders");
                List<Decoder> steps = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    steps.add(decoder(list.get(i), path + ".decoders[" + i + "]"));
                }
                yield new Decoders.SequenceDecoder(steps);
            }
            default -> throw unsupported(path + ".type", type, DECODERS);
        };
    }

    private Truncation truncation(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        String path = "truncation";
        requireObject(node, path);
        int maxLength = integer(node, "max_length", path, -1);
        if (maxLength < 0) {
            throw new TokenizerFormatException(source + ": truncation.max_length must be a non-negative integer");
        }
        Truncation.Strategy strategy = switch (string(node, "strategy", path, "LongestFirst")) {
            case "LongestFirst" -> Truncation.Strategy.LONGEST_FIRST;
            case "OnlyFirst" -> Truncation.Strategy.ONLY_FIRST;
            case "OnlySecond" -> Truncation.Strategy.ONLY_SECOND;
            default -> throw unsupported("truncation.strategy", node.get("strategy").asText(),
                    "LongestFirst, OnlyFirst, OnlySecond are");
        };
        Truncation.Direction direction = switch (string(node, "direction", path, "Right")) {
            case "Right" -> Truncation.Direction.RIGHT;
            case "Left" -> Truncation.Direction.LEFT;
            default -> throw unsupported("truncation.direction", node.get("direction").asText(), "Right, Left are");
        };
        int stride = integer(node, "stride", path, 0);
        if (stride < 0) {
            throw new TokenizerFormatException(source + ": truncation.stride must be a non-negative integer");
        }
        return new Truncation(maxLength, strategy, direction, stride);
    }

    private Padding padding(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        String path = "padding";
        requireObject(node, path);
        JsonNode strategyNode = node.get("strategy");
        Padding.Strategy strategy;
        int length = 0;
        if (strategyNode == null || strategyNode.isNull() || "BatchLongest".equals(strategyNode.asText())) {
            strategy = Padding.Strategy.BATCH_LONGEST;
        } else if (strategyNode.isObject() && strategyNode.has("Fixed")) {
            strategy = Padding.Strategy.FIXED;
            length = integer(strategyNode, "Fixed", "padding.strategy", 0);
        } else {
            throw unsupported("padding.strategy", strategyNode.toString(), "\"BatchLongest\", {\"Fixed\": n} are");
        }
        Padding.Direction direction = switch (string(node, "direction", path, "Right")) {
            case "Right" -> Padding.Direction.RIGHT;
            case "Left" -> Padding.Direction.LEFT;
            default -> throw unsupported("padding.direction", node.get("direction").asText(), "Right, Left are");
        };
        JsonNode multiple = node.get("pad_to_multiple_of");
        int multipleOf = multiple == null || multiple.isNull() ? 0 : integer(node, "pad_to_multiple_of", path, 0);
        return new Padding(strategy, length, direction, multipleOf, integer(node, "pad_id", path, 0),
                integer(node, "pad_type_id", path, 0), string(node, "pad_token", path, "[PAD]"));
    }

    private TokenizerFormatException unsupported(String path, String value, String supported) {
        return new TokenizerFormatException(source + ": " + path + " \"" + value + "\" is not supported (" + supported + ")");
    }

    private JsonNode required(JsonNode node, String field, String path) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new TokenizerFormatException(source + ": " + (path.equals(field) ? field : path + "." + field) + " is missing");
        }
        return value;
    }

    private void requireObject(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw new TokenizerFormatException(source + ": " + path + " must be a JSON object, found " + kind(node));
        }
    }

    private void requireArray(JsonNode node, String path) {
        if (node == null || !node.isArray()) {
            throw new TokenizerFormatException(source + ": " + path + " must be a JSON array, found " + kind(node));
        }
    }

    private String string(JsonNode node, String field, String path, String fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (fallback == null) {
                throw new TokenizerFormatException(source + ": " + path + "." + field + " is missing");
            }
            return fallback;
        }
        if (!value.isTextual()) {
            throw new TokenizerFormatException(source + ": " + path + "." + field + " must be a string, found " + kind(value));
        }
        return value.asText();
    }

    private boolean bool(JsonNode node, String field, String path, boolean fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw new TokenizerFormatException(source + ": " + path + "." + field + " must be true or false, found " + kind(value));
        }
        return value.booleanValue();
    }

    private int integer(JsonNode node, String field, String path, int fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new TokenizerFormatException(source + ": " + path + "." + field + " must be an integer, found " + kind(value));
        }
        return value.intValue();
    }

    private static String kind(JsonNode node) {
        if (node == null || node.isNull()) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "the string \"" + node.asText() + "\"";
            case NUMBER -> "the number " + node;
            case BOOLEAN -> node.toString();
            default -> node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
