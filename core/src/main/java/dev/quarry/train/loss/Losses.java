package dev.quarry.train.loss;

import dev.quarry.train.data.TrainingExample;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The losses by their command-line names, and what data each needs, so that a trainer can build
 * one from flags and reject a bad example by its index before encoding anything.
 *
 * <p>{@code cached-mnr} is the same loss as {@code mnr}: the caching (GradCache, Gao et al. 2021:
 * embed the batch without the graph, take the loss's gradient with respect to the embeddings, then
 * re-encode in mini-batches and backpropagate those gradients) is the trainer's business, and this
 * package's losses already return exactly that embedding gradient.
 */
public final class Losses {

  /** The valid names, in the order help text lists them. */
  public static final List<String> NAMES =
      List.of("mnr", "cached-mnr", "triplet", "listnet", "margin-mse");

  private Losses() {}

  /**
   * The settings a loss may take; each loss reads the ones that apply to it.
   *
   * @param scale {@code 1 / temperature} for mnr, cached-mnr and listnet
   * @param symmetric mnr and cached-mnr: also rank queries for each positive
   * @param margin triplet's margin
   * @param distance triplet's distance
   * @param matryoshkaDims if not empty, wrap the loss in {@link MatryoshkaLoss} with these dims
   * @param matryoshkaWeights one per dim, or empty for weight 1 each
   */
  public record Options(double scale, boolean symmetric, double margin,
      TripletLoss.Distance distance, List<Integer> matryoshkaDims,
      List<Double> matryoshkaWeights) {

    public Options {
      if (!(scale > 0) || !Double.isFinite(scale)) {
        throw new IllegalArgumentException("scale must be positive and finite, got " + scale);
      }
      if (!(margin >= 0) || !Double.isFinite(margin)) {
        throw new IllegalArgumentException("margin must be finite and non-negative, got "
            + margin);
      }
      if (distance == null) throw new IllegalArgumentException("distance is required");
      matryoshkaDims = matryoshkaDims == null ? List.of() : List.copyOf(matryoshkaDims);
      matryoshkaWeights = matryoshkaWeights == null ? List.of() : List.copyOf(matryoshkaWeights);
      if (!matryoshkaWeights.isEmpty() && matryoshkaWeights.size() != matryoshkaDims.size()) {
        throw new IllegalArgumentException("matryoshka needs one weight per dimension: "
            + matryoshkaDims.size() + " dims but " + matryoshkaWeights.size() + " weights");
      }
    }

    /**
     * sentence-transformers' defaults: scale 20 (temperature 0.05), one direction, euclidean
     * distance with margin 5, no matryoshka.
     */
    public static Options defaults() {
      return new Options(MultipleNegativesRankingLoss.DEFAULT_SCALE, false,
          TripletLoss.DEFAULT_MARGIN, TripletLoss.Distance.EUCLIDEAN, List.of(), List.of());
    }

    public Options withScale(double scale) {
      return new Options(scale, symmetric, margin, distance, matryoshkaDims, matryoshkaWeights);
    }

    /** The same as {@code withScale(1 / temperature)}. */
    public Options withTemperature(double temperature) {
      if (!(temperature > 0) || !Double.isFinite(temperature)) {
        throw new IllegalArgumentException("temperature must be positive and finite, got "
            + temperature);
      }
      return withScale(1 / temperature);
    }

    public Options withSymmetric(boolean symmetric) {
      return new Options(scale, symmetric, margin, distance, matryoshkaDims, matryoshkaWeights);
    }

    public Options withMargin(double margin) {
      return new Options(scale, symmetric, margin, distance, matryoshkaDims, matryoshkaWeights);
    }

    public Options withDistance(TripletLoss.Distance distance) {
      return new Options(scale, symmetric, margin, distance, matryoshkaDims, matryoshkaWeights);
    }

    /** Matryoshka with weight 1 for each dim. */
    public Options withMatryoshka(List<Integer> dims) {
      return new Options(scale, symmetric, margin, distance, dims, List.of());
    }

    public Options withMatryoshka(List<Integer> dims, List<Double> weights) {
      return new Options(scale, symmetric, margin, distance, dims, weights);
    }
  }

  /** The named loss with {@link Options#defaults()}. */
  public static Loss create(String name) {
    return create(name, Options.defaults());
  }

  /**
   * The named loss ({@link #NAMES}, case-insensitive), wrapped in {@link MatryoshkaLoss} if the
   * options give matryoshka dims.
   *
   * @throws IllegalArgumentException for an unknown name, listing the valid ones
   */
  public static Loss create(String name, Options options) {
    if (options == null) throw new IllegalArgumentException("options are required");
    String key = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
    Loss loss = switch (key) {
      case "mnr", "cached-mnr" -> new MultipleNegativesRankingLoss(options.scale(),
          options.symmetric());
      case "triplet" -> new TripletLoss(options.distance(), options.margin());
      case "listnet" -> new ListNetLoss(options.scale());
      case "margin-mse" -> new MarginMseLoss();
      default -> throw new IllegalArgumentException("unknown loss \"" + name + "\"; valid: "
          + String.join(", ", NAMES));
    };
    if (options.matryoshkaDims().isEmpty()) return loss;
    List<Double> weights = options.matryoshkaWeights().isEmpty()
        ? Collections.nCopies(options.matryoshkaDims().size(), 1.0)
        : options.matryoshkaWeights();
    return new MatryoshkaLoss(loss, options.matryoshkaDims(), weights);
  }

  /**
   * What each example must hold for the named loss ({@link #NAMES}).
   *
   * @throws IllegalArgumentException for an unknown name, listing the valid ones
   */
  public static DataShape shape(String name) {
    return shape(create(name));
  }

  /** What each example must hold for this loss; {@link DataShape#ANY} for a loss from elsewhere. */
  public static DataShape shape(Loss loss) {
    return loss instanceof DoubleLoss d ? d.shape() : DataShape.ANY;
  }

  /**
   * Throws an {@link IllegalArgumentException} such as "example 12: the triplet loss needs a
   * negative after the positive" if the example does not fit the loss's {@link #shape}.
   *
   * @param index the example's position, for the message
   */
  public static void check(Loss loss, int index, TrainingExample example) {
    String name = loss instanceof DoubleLoss d ? d.name() : loss.describe();
    shape(loss).check(name, index, example.texts().size(), example.scores());
  }
}
