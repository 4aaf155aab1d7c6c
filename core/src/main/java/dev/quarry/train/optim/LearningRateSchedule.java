package dev.quarry.train.optim;

/**
 * Linear warm-up then linear decay, as transformers' {@code get_linear_schedule_with_warmup}
 * (the schedule sentence-transformers and the Hugging Face Trainer use by default): the rate rises
 * from 0 to the base rate over {@code warmupSteps}, then falls to 0 at {@code totalSteps} and stays
 * there.
 *
 * <p>{@link #at(long)} takes the number of optimizer steps already taken (0 for the first step),
 * as PyTorch's {@code LambdaLR} counts: with a warm-up the first step therefore runs at rate 0, as
 * it does in transformers.
 */
public final class LearningRateSchedule {

  private final double baseRate;
  private final long warmupSteps;
  private final long totalSteps;

  /**
   * @param baseRate    the peak rate, reached at the end of the warm-up
   * @param warmupSteps steps of warm-up, 0 for none; may exceed {@code totalSteps} (then the rate
   *                    never decays), as transformers allows
   * @param totalSteps  the step at which the rate reaches 0
   */
  public LearningRateSchedule(double baseRate, long warmupSteps, long totalSteps) {
    if (!(baseRate >= 0) || Double.isInfinite(baseRate)) {
      throw new IllegalArgumentException("base learning rate must be finite and >= 0: " + baseRate);
    }
    if (warmupSteps < 0) throw new IllegalArgumentException("warm-up steps < 0: " + warmupSteps);
    if (totalSteps < 0) throw new IllegalArgumentException("total steps < 0: " + totalSteps);
    this.baseRate = baseRate;
    this.warmupSteps = warmupSteps;
    this.totalSteps = totalSteps;
  }

  /** A schedule whose warm-up is {@link #warmupSteps(long, double) a ratio} of the total steps. */
  public static LearningRateSchedule withWarmupRatio(double baseRate, double warmupRatio,
      long totalSteps) {
    return new LearningRateSchedule(baseRate, warmupSteps(totalSteps, warmupRatio), totalSteps);
  }

  /**
   * Warm-up steps for a ratio of the training, rounded up: {@code ceil(totalSteps * ratio)}, as
   * the Hugging Face Trainer's {@code warmup_ratio} and sentence-transformers' examples round it
   * (in the same double arithmetic, so a product such as {@code 100 * 0.07 = 7.000000000000001}
   * rounds up to 8 there and here alike).
   */
  public static long warmupSteps(long totalSteps, double ratio) {
    if (totalSteps < 0) throw new IllegalArgumentException("total steps < 0: " + totalSteps);
    if (!(ratio >= 0 && ratio <= 1)) {
      throw new IllegalArgumentException("warm-up ratio must be in [0, 1]: " + ratio);
    }
    return (long) Math.ceil(totalSteps * ratio);
  }

  /** The rate for the step that follows {@code step} completed steps. */
  public double at(long step) {
    if (step < 0) throw new IllegalArgumentException("step < 0: " + step);
    if (step < warmupSteps) return baseRate * ((double) step / Math.max(1, warmupSteps));
    return baseRate * Math.max(0.0,
        (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
  }

  public double baseRate() {
    return baseRate;
  }

  public long warmupSteps() {
    return warmupSteps;
  }

  public long totalSteps() {
    return totalSteps;
  }

  @Override
  public String toString() {
    return "linear(base=" + baseRate + ", warmup=" + warmupSteps + ", total=" + totalSteps + ")";
  }
}
