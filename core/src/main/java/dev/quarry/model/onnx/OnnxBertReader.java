package dev.quarry.model.onnx;

import dev.quarry.kernels.Int8Matrix;
import dev.quarry.model.BertConfig;
import dev.quarry.model.BertWeights;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a BERT encoder exported to ONNX by Hugging Face {@code optimum} / {@code torch.onnx}, fp32 or
 * dynamically quantized int8, into {@link BertWeights}.
 *
 * <p>Named initializers hold the embeddings, biases and LayerNorms. The six weight matrices of each
 * layer are anonymous ({@code onnx::MatMul_<k>}, stored {@code [in, out]}) and are found through the
 * MatMul node that reads them. fp32 tensors stay in the file's mapping, and so do the codes of
 * int8 ones ({@code <w>_quantized} with {@code <w>_scale} and {@code <w>_zero_point}), read as
 * {@link Int8Matrix}es. The head count and LayerNorm epsilon, which no initializer records, are
 * read from the constants the graph divides the attention scores by and adds to the variance.
 */
public final class OnnxBertReader {

  private static final Pattern LAYER = Pattern.compile("encoder\\.layer\\.(\\d+)\\.attention\\.self\\.query\\.bias");

  private OnnxBertReader() {}

  /** The weights of {@code file}, mapped in {@code arena}. */
  public static BertWeights read(Path file, Arena arena, BertConfig knownConfig) throws IOException {
    OnnxFile onnx = OnnxFile.open(file, arena);
    Map<String, OnnxNode> nodesByName = new HashMap<>();
    for (OnnxNode node : onnx.nodes()) nodesByName.put(node.name(), node);
    BertConfig config = knownConfig != null ? knownConfig : inferConfig(onnx, nodesByName);
    Map<String, MemorySegment> tensors = new HashMap<>();
    Map<String, Int8Matrix> quantized = new HashMap<>();
    for (BertConfig.Parameter p : config.parameters()) {
      String stored = p.isLinearWeight() ? matMulWeightName(onnx, nodesByName, p.name()) : p.name();
      OnnxTensor t = onnx.initializers().get(stored);
      if (t != null && t.dataType() == OnnxTensor.FLOAT) {
        tensors.put(p.name(), t.data());
      } else {
        quantized.put(p.name(), codes(onnx, stored));
      }
    }
    return new BertWeights(config, tensors, quantized, file.toString());
  }

  private static BertConfig inferConfig(OnnxFile onnx, Map<String, OnnxNode> nodes) {
    String source = onnx.path().toString();
    long[] words = dims(onnx, "embeddings.word_embeddings.weight");
    long[] positions = dims(onnx, "embeddings.position_embeddings.weight");
    long[] types = dims(onnx, "embeddings.token_type_embeddings.weight");
    long[] intermediate = dims(onnx, "encoder.layer.0.intermediate.dense.bias");
    int layers = 0;
    for (String name : onnx.initializers().keySet()) {
      Matcher m = LAYER.matcher(name);
      if (m.matches()) layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
    }
    if (layers == 0) {
      throw new IllegalArgumentException(source + ": no encoder.layer.*.attention.self.query.bias"
          + " initializer; this is not a Hugging Face BERT export");
    }
    int hidden = (int) words[1];
    int headDim = headDim(onnx, nodes);
    float eps = scalarConstant(onnx, nodes.get("/embeddings/LayerNorm/Add"), 1e-12f);
    return new BertConfig((int) words[0], hidden, layers, hidden / headDim, (int) intermediate[0],
        (int) positions[0], (int) types[0], eps);
  }

  /** The attention scores are divided by sqrt(headDim) (or multiplied by its inverse). */
  private static int headDim(OnnxFile onnx, Map<String, OnnxNode> nodes) {
    for (String op : new String[] {"Div", "Mul"}) {
      OnnxNode node = nodes.get("/encoder/layer.0/attention/self/" + op);
      float c = scalarConstant(onnx, node, Float.NaN);
      if (!Float.isNaN(c) && c > 0) {
        return Math.round(op.equals("Div") ? c * c : 1 / (c * c));
      }
    }
    throw new IllegalArgumentException(onnx.path() + ": cannot find the attention scaling constant"
        + " to infer the number of heads; put the model's config.json next to the .onnx file");
  }

  private static float scalarConstant(OnnxFile onnx, OnnxNode node, float fallback) {
    if (node == null) return fallback;
    for (String input : node.inputs()) {
      OnnxTensor t = onnx.constants().get(input);
      if (t == null) t = onnx.initializers().get(input);
      if (t != null && t.dataType() == OnnxTensor.FLOAT && t.elementCount() == 1) {
        return t.data().get(BertWeights.FLOAT, 0);
      }
    }
    return fallback;
  }

  private static long[] dims(OnnxFile onnx, String name) {
    OnnxTensor t = onnx.initializers().get(name);
    if (t == null) t = onnx.initializers().get(name + "_quantized");
    if (t == null) {
      throw new IllegalArgumentException(onnx.path() + ": initializer \"" + name
          + "\" is missing; this is not a Hugging Face BERT export");
    }
    return t.dims();
  }

  /** {@code encoder.layer.3.attention.output.dense.weight} is read by {@code /encoder/layer.3/attention/output/dense/MatMul}. */
  private static String matMulWeightName(OnnxFile onnx, Map<String, OnnxNode> nodes, String parameter) {
    String path = parameter.substring(0, parameter.length() - ".weight".length());
    int afterLayer = path.indexOf('.', "encoder.layer.".length());
    String nodePrefix = "/encoder/layer." + path.substring("encoder.layer.".length(), afterLayer)
        + "/" + path.substring(afterLayer + 1).replace('.', '/') + "/MatMul";
    for (String suffix : new String[] {"", "_quant"}) {
      OnnxNode node = nodes.get(nodePrefix + suffix);
      if (node != null && node.inputs().size() >= 2) return node.inputs().get(1);
    }
    throw new IllegalArgumentException(onnx.path() + ": no MatMul node " + nodePrefix
        + " for " + parameter + "; this is not a Hugging Face BERT export");
  }

  /** An int8 or uint8 tensor with its scale and zero point, per tensor or per column (the last dimension). */
  private static Int8Matrix codes(OnnxFile onnx, String name) {
    String base = name.endsWith("_quantized") ? name.substring(0, name.length() - "_quantized".length()) : name;
    OnnxTensor q = onnx.initializers().get(base + "_quantized");
    OnnxTensor scale = onnx.initializers().get(base + "_scale");
    OnnxTensor zero = onnx.initializers().get(base + "_zero_point");
    if (q == null || scale == null || zero == null) {
      throw new IllegalArgumentException(onnx.path() + ": tensor \"" + name + "\" is missing or has"
          + " an unsupported type (fp32, or int8/uint8 with scale and zero point, are supported)");
    }
    boolean signed = q.dataType() == OnnxTensor.INT8;
    if (!signed && q.dataType() != OnnxTensor.UINT8) {
      throw new IllegalArgumentException(onnx.path() + ": " + q.name() + " has ONNX type "
          + q.dataType() + " (int8 and uint8 are supported)");
    }
    long[] dims = q.dims();
    int columns = dims.length == 0 ? 1 : (int) dims[dims.length - 1];
    long perColumn = scale.elementCount();
    if ((perColumn != 1 && perColumn != columns) || zero.elementCount() != perColumn) {
      throw new IllegalArgumentException(onnx.path() + ": " + scale.name() + " and "
          + zero.name() + " have " + perColumn + " and " + zero.elementCount() + " values for "
          + columns + " columns (expected 1 or " + columns + " of each)");
    }
    float[] scales = new float[columns];
    int[] zeros = new int[columns];
    for (int c = 0; c < columns; c++) {
      int i = perColumn == 1 ? 0 : c;
      scales[c] = scale.data().get(BertWeights.FLOAT, 4L * i);
      zeros[c] = toInt(zero.data().get(ValueLayout.JAVA_BYTE, i), zero.dataType() == OnnxTensor.INT8);
    }
    long rows = columns == 0 ? 0 : q.elementCount() / columns;
    try {
      return new Int8Matrix(q.data(), !signed, scales, zeros, Math.toIntExact(rows), columns);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new IllegalArgumentException(onnx.path() + ": " + q.name() + ": " + e.getMessage(), e);
    }
  }

  private static int toInt(byte b, boolean signed) {
    return signed ? b : b & 0xff;
  }
}
