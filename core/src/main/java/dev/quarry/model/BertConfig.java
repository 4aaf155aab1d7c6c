package dev.quarry.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The shape of a BERT-family encoder: what Hugging Face's {@code config.json} says about it.
 *
 * @param layerNormEps the epsilon of every LayerNorm (1e-12 for BERT)
 */
public record BertConfig(int vocabSize, int hiddenSize, int layers, int heads, int intermediateSize,
    int maxPositions, int typeVocabSize, float layerNormEps) {

  public BertConfig {
    if (vocabSize <= 0 || hiddenSize <= 0 || layers <= 0 || heads <= 0 || intermediateSize <= 0
        || maxPositions <= 0 || typeVocabSize <= 0) {
      throw new IllegalArgumentException("invalid BERT configuration " + this);
    }
    if (hiddenSize % heads != 0) {
      throw new IllegalArgumentException("hidden size " + hiddenSize + " is not a multiple of "
          + heads + " attention heads");
    }
  }

  public int headDim() {
    return hiddenSize / heads;
  }

  /** Reads a Hugging Face {@code config.json} of a BERT model ({@code source} names it in errors). */
  public static BertConfig fromJson(JsonNode json, String source) {
    String type = json.path("model_type").asText("bert");
    if (!type.equals("bert")) {
      throw new IllegalArgumentException(source + ": model_type \"" + type
          + "\" is not supported (bert is)");
    }
    String act = json.path("hidden_act").asText("gelu");
    if (!act.equals("gelu")) {
      throw new IllegalArgumentException(source + ": hidden_act \"" + act + "\" is not supported (gelu is)");
    }
    String positions = json.path("position_embedding_type").asText("absolute");
    if (!positions.equals("absolute")) {
      throw new IllegalArgumentException(source + ": position_embedding_type \"" + positions
          + "\" is not supported (absolute is)");
    }
    return new BertConfig(
        required(json, "vocab_size", source),
        required(json, "hidden_size", source),
        required(json, "num_hidden_layers", source),
        required(json, "num_attention_heads", source),
        required(json, "intermediate_size", source),
        json.path("max_position_embeddings").asInt(512),
        json.path("type_vocab_size").asInt(2),
        (float) json.path("layer_norm_eps").asDouble(1e-12));
  }

  private static int required(JsonNode json, String field, String source) {
    JsonNode value = json.get(field);
    if (value == null || !value.canConvertToInt()) {
      throw new IllegalArgumentException(source + ": \"" + field + "\" is missing or not an integer");
    }
    return value.asInt();
  }

  /** The {@code config.json} that Hugging Face {@code transformers} loads as a {@code BertModel}. */
  public ObjectNode toJson(ObjectMapper mapper) {
    ObjectNode json = mapper.createObjectNode();
    json.putArray("architectures").add("BertModel");
    json.put("model_type", "bert");
    json.put("attention_probs_dropout_prob", 0.1);
    json.put("hidden_act", "gelu");
    json.put("hidden_dropout_prob", 0.1);
    json.put("hidden_size", hiddenSize);
    json.put("initializer_range", 0.02);
    json.put("intermediate_size", intermediateSize);
    json.put("layer_norm_eps", (double) layerNormEps);
    json.put("max_position_embeddings", maxPositions);
    json.put("num_attention_heads", heads);
    json.put("num_hidden_layers", layers);
    json.put("pad_token_id", 0);
    json.put("position_embedding_type", "absolute");
    json.put("torch_dtype", "float32");
    json.put("type_vocab_size", typeVocabSize);
    json.put("vocab_size", vocabSize);
    return json;
  }

  /** Every parameter of the encoder with its PyTorch shape (linear weights are {@code [out, in]}). */
  public List<Parameter> parameters() {
    List<Parameter> params = new ArrayList<>();
    int h = hiddenSize;
    params.add(new Parameter("embeddings.word_embeddings.weight", vocabSize, h));
    params.add(new Parameter("embeddings.position_embeddings.weight", maxPositions, h));
    params.add(new Parameter("embeddings.token_type_embeddings.weight", typeVocabSize, h));
    params.add(new Parameter("embeddings.LayerNorm.weight", h));
    params.add(new Parameter("embeddings.LayerNorm.bias", h));
    for (int l = 0; l < layers; l++) {
      String p = "encoder.layer." + l + ".";
      for (String qkv : new String[] {"query", "key", "value"}) {
        params.add(new Parameter(p + "attention.self." + qkv + ".weight", h, h));
        params.add(new Parameter(p + "attention.self." + qkv + ".bias", h));
      }
      params.add(new Parameter(p + "attention.output.dense.weight", h, h));
      params.add(new Parameter(p + "attention.output.dense.bias", h));
      params.add(new Parameter(p + "attention.output.LayerNorm.weight", h));
      params.add(new Parameter(p + "attention.output.LayerNorm.bias", h));
      params.add(new Parameter(p + "intermediate.dense.weight", intermediateSize, h));
      params.add(new Parameter(p + "intermediate.dense.bias", intermediateSize));
      params.add(new Parameter(p + "output.dense.weight", h, intermediateSize));
      params.add(new Parameter(p + "output.dense.bias", h));
      params.add(new Parameter(p + "output.LayerNorm.weight", h));
      params.add(new Parameter(p + "output.LayerNorm.bias", h));
    }
    return params;
  }

  /**
   * A named parameter and its PyTorch shape.
   *
   * <p>Linear weights ({@code *.dense.weight}, {@code query/key/value.weight}) are {@code [out, in]}
   * in PyTorch and safetensors, but Quarry keeps them {@code [in, out]} in memory (ONNX's layout,
   * the one its matmul reads row by row).
   */
  public record Parameter(String name, long... shape) {
    public boolean isLinearWeight() {
      return shape.length == 2 && name.endsWith(".weight") && name.startsWith("encoder.");
    }

    public long elementCount() {
      long n = 1;
      for (long d : shape) n *= d;
      return n;
    }
  }
}
