package dev.quarry.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A model's trainable tensors, each with its gradient: what the optimizer updates and what a
 * checkpoint stores. Values and gradients are flat {@code float[]} in the layout of
 * {@link dev.quarry.model.BertWeights} (linear weights {@code [in, out]}).
 */
public final class Parameters {

  /**
   * One tensor.
   *
   * @param shape the PyTorch shape, as saved (a linear weight's value is its transpose, see
   *              {@link dev.quarry.model.BertConfig.Parameter})
   * @param decay whether weight decay applies (not to biases and LayerNorm, as BERT trains)
   */
  public record Parameter(String name, long[] shape, float[] value, float[] grad, boolean decay) {}

  private final List<Parameter> list = new ArrayList<>();

  /** Adds a tensor whose gradient starts at zero. */
  public Parameter add(String name, long[] shape, float[] value, boolean decay) {
    Parameter p = new Parameter(name, shape.clone(), value, new float[value.length], decay);
    list.add(p);
    return p;
  }

  public List<Parameter> all() {
    return Collections.unmodifiableList(list);
  }

  public Parameter get(String name) {
    for (Parameter p : list) {
      if (p.name().equals(name)) return p;
    }
    throw new IllegalArgumentException("no parameter named \"" + name + "\"");
  }

  /** Total number of scalars. */
  public long size() {
    long n = 0;
    for (Parameter p : list) n += p.value().length;
    return n;
  }

  public void zeroGrad() {
    for (Parameter p : list) Arrays.fill(p.grad(), 0f);
  }
}
