package dev.quarry.train.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The linear warm-up and decay of transformers' get_linear_schedule_with_warmup. */
class LearningRateScheduleTest {

  @Test
  void warmsUpThenDecaysToZero() {
    LearningRateSchedule s = new LearningRateSchedule(1e-3, 10, 110);
    assertEquals(0.0, s.at(0), "the first step runs at 0 during warm-up, as in transformers");
    assertEquals(1e-4, s.at(1), 1e-15);
    assertEquals(5e-4, s.at(5), 1e-15);
    assertEquals(1e-3, s.at(10), 1e-15, "peak at the end of the warm-up");
    assertEquals(5e-4, s.at(60), 1e-15, "half way through the decay");
    assertEquals(1e-5, s.at(109), 1e-15);
    assertEquals(0.0, s.at(110));
    assertEquals(0.0, s.at(500), "stays at 0 past the end");
  }

  @Test
  void withoutWarmupStartsAtTheBaseRate() {
    LearningRateSchedule s = new LearningRateSchedule(2e-5, 0, 4);
    assertEquals(2e-5, s.at(0), 1e-20);
    assertEquals(1e-5, s.at(2), 1e-20);
    assertEquals(0.0, s.at(4));
  }

  @Test
  void warmupLongerThanTheRunNeverDecays() {
    LearningRateSchedule s = new LearningRateSchedule(1.0, 10, 5);
    assertEquals(0.4, s.at(4), 1e-15);
    assertEquals(0.0, s.at(10), "past both, transformers' formula gives max(0, negative) = 0");
  }

  @Test
  void warmupRatioRoundsUpAsTheTrainerDoes() {
    assertEquals(100, LearningRateSchedule.warmupSteps(1000, 0.1));
    assertEquals(10, LearningRateSchedule.warmupSteps(95, 0.1), "ceil(9.5)");
    assertEquals(8, LearningRateSchedule.warmupSteps(100, 0.07), "math.ceil(100 * 0.07) in Python");
    assertEquals(0, LearningRateSchedule.warmupSteps(1000, 0.0));
    LearningRateSchedule s = LearningRateSchedule.withWarmupRatio(2e-5, 0.1, 29);
    assertEquals(3, s.warmupSteps());
    assertEquals(29, s.totalSteps());
    assertEquals(2e-5, s.baseRate());
  }

  @Test
  void rejectsNonsense() {
    assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(-1, 0, 10));
    assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(Double.NaN, 0, 10));
    assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(1, -1, 10));
    assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.warmupSteps(10, 1.5));
    assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(1, 0, 10).at(-1));
  }
}
