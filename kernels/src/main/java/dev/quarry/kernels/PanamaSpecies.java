package dev.quarry.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes the Panama kernels use, in one place so that only classes loaded after
 * {@link KernelProvider} has found the {@code jdk.incubator.vector} module refer to them.
 */
final class PanamaSpecies {

  /** The widest float vector C2 compiles well on this CPU (16 lanes with AVX-512). */
  static final VectorSpecies<Float> FLOAT = FloatVector.SPECIES_PREFERRED;

  /** Doubles at the same width, for the GELU that computes in double. */
  static final VectorSpecies<Double> DOUBLE = DoubleVector.SPECIES_PREFERRED;

  /** Floats with as many lanes as {@link #DOUBLE}: the shape that widens into one double vector. */
  static final VectorSpecies<Float> FLOAT_FOR_DOUBLE =
      VectorSpecies.of(float.class, VectorShape.forBitSize(DOUBLE.vectorBitSize() / 2));

  /**
   * Vector registers C2 allocates: 32 with AVX-512 (and on AArch64), 16 with AVX2, where it uses
   * no EVEX encodings. Register-blocked kernels size their tiles by it: a tile of accumulators
   * that does not fit spills to the stack on every step.
   */
  static final int REGISTERS = registers();

  private PanamaSpecies() {}

  private static int registers() {
    String arch = System.getProperty("os.arch", "");
    if (!arch.equals("amd64") && !arch.equals("x86_64")) return 32;
    try {
      var vm = java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
      return Integer.parseInt(vm.getVMOption("UseAVX").getValue()) >= 3 ? 32 : 16;
    } catch (RuntimeException | LinkageError notHotSpot) {
      return FLOAT.vectorBitSize() >= 512 ? 32 : 16;
    }
  }
}
