package dev.quarry.model.onnx;

import java.util.List;

/** One operator of an ONNX graph: its name, type and the names of the values it reads and writes. */
public record OnnxNode(String name, String opType, List<String> inputs, List<String> outputs) {}
