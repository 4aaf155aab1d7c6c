package dev.quarry.train;

/** A training run that cannot go on (a loss that is not finite, say); the message says where and what to do. */
public final class TrainingException extends RuntimeException {

  public TrainingException(String message) {
    super(message);
  }
}
