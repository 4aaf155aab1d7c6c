package dev.quarry.kernels;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Optional;

/**
 * Picks the {@link TensorSupport} backend once per JVM: the Vector API one where it will be fast,
 * else the scalar one with a one-line warning.
 *
 * <p>Panama is chosen when the {@code jdk.incubator.vector} module is in the boot layer (the JVM
 * was started with {@code --add-modules jdk.incubator.vector}), the VM is HotSpot with C2 on (the
 * Vector API is only intrinsified by C2; interpreted or C1 code boxes every vector) and not
 * JVMCI, the CPU has FMA, and the preferred vector is at least 128 bits. The system property
 * {@value #PROPERTY} ({@code scalar} or {@code panama}) forces a choice; forcing {@code panama}
 * where it cannot run is an error rather than a silent fallback.
 *
 * <p>This class never names a vector type: {@code PanamaTensorSupport} and
 * {@code PanamaTensorGradients} are loaded by name only after the checks, so a JVM without the
 * module never touches them.
 */
public final class KernelProvider {

  /** The system property that forces a backend. */
  public static final String PROPERTY = "quarry.kernels";

  private static final String PANAMA_CLASS = "dev.quarry.kernels.PanamaTensorSupport";
  private static final String PANAMA_GRADIENTS_CLASS = "dev.quarry.kernels.PanamaTensorGradients";
  private static final System.Logger LOG = System.getLogger(KernelProvider.class.getName());

  private static volatile TensorSupport chosen;
  private static volatile TensorGradients chosenGradients;

  private KernelProvider() {}

  /**
   * The backend for this JVM, chosen on first use.
   *
   * @throws IllegalArgumentException if {@value #PROPERTY} has an unknown value
   * @throws IllegalStateException if {@value #PROPERTY} forces a backend that cannot run here
   */
  public static TensorSupport tensorSupport() {
    TensorSupport support = chosen;
    if (support == null) {
      // Not a holder class: a bad property value must surface as itself, not as an
      // ExceptionInInitializerError followed by NoClassDefFoundErrors.
      synchronized (KernelProvider.class) {
        support = chosen;
        if (support == null) {
          support = lookup(System.getProperty(PROPERTY));
          chosen = support;
        }
      }
    }
    return support;
  }

  /**
   * The backward passes matching {@link #tensorSupport()}: the Vector API ones when that is the
   * Panama backend, the scalar ones otherwise, so that training and inference share one choice.
   *
   * @throws IllegalArgumentException if {@value #PROPERTY} has an unknown value
   * @throws IllegalStateException if {@value #PROPERTY} forces a backend that cannot run here
   */
  public static TensorGradients tensorGradients() {
    TensorGradients gradients = chosenGradients;
    if (gradients == null) {
      synchronized (KernelProvider.class) {
        gradients = chosenGradients;
        if (gradients == null) {
          gradients = tensorSupport().getClass().getName().equals(PANAMA_CLASS)
              ? create(PANAMA_GRADIENTS_CLASS, TensorGradients.class)
              : ScalarGradients.INSTANCE;
          chosenGradients = gradients;
        }
      }
    }
    return gradients;
  }

  /** The scalar reference backward passes, whatever was chosen: the oracle for tests. */
  public static TensorGradients scalarGradients() {
    return ScalarGradients.INSTANCE;
  }

  /** {@code "panama"} or {@code "scalar"}: which backend {@link #tensorSupport()} is. */
  public static String backendName() {
    return nameOf(tensorSupport());
  }

  /** The scalar reference backend, whatever was chosen: the oracle for tests. */
  public static TensorSupport scalar() {
    return Scalar.INSTANCE;
  }

  static String nameOf(TensorSupport support) {
    return support instanceof ScalarTensorSupport ? "scalar" : "panama";
  }

  /** The backend for a value of {@value #PROPERTY} ({@code null} or blank: choose). */
  static TensorSupport lookup(String forced) {
    if (forced == null || forced.isBlank()) {
      String reason = panamaUnavailableReason();
      if (reason == null) {
        try {
          return createPanama();
        } catch (UnsupportedOperationException e) {
          reason = e.getMessage();
        }
      }
      LOG.log(System.Logger.Level.WARNING,
          "Quarry kernels use the slow scalar backend: " + reason);
      return Scalar.INSTANCE;
    }
    switch (forced.trim().toLowerCase(Locale.ROOT)) {
      case "scalar":
        return Scalar.INSTANCE;
      case "panama":
        String reason = panamaUnavailableReason();
        if (reason != null) {
          throw new IllegalStateException(PROPERTY + "=panama, but " + reason);
        }
        try {
          return createPanama();
        } catch (UnsupportedOperationException e) {
          throw new IllegalStateException(PROPERTY + "=panama, but " + e.getMessage(), e);
        }
      default:
        throw new IllegalArgumentException("system property " + PROPERTY + " is \"" + forced
            + "\": the valid values are scalar and panama (or leave it unset to choose)");
    }
  }

  /** Why the Vector API backend would be missing or slow here, or {@code null} if it is fine. */
  static String panamaUnavailableReason() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return "the jdk.incubator.vector module is not present"
          + " (start the JVM with --add-modules jdk.incubator.vector)";
    }
    String vmName = System.getProperty("java.vm.name", "");
    if (!vmName.contains("HotSpot") && !vmName.contains("OpenJDK")) {
      return "the JVM (" + vmName + ") is not HotSpot";
    }
    String vmInfo = System.getProperty("java.vm.info", "");
    if (vmInfo.contains("interpreted mode")) {
      return "the JIT compiler is off (-Xint)";
    }
    if (vmInfo.contains("emulated-client")) {
      return "the C2 compiler is off (client emulation)";
    }
    if (vmOption("UseJVMCICompiler").filter("true"::equals).isPresent()) {
      return "the JIT is a JVMCI compiler, which does not intrinsify the Vector API";
    }
    Optional<Integer> stopLevel = vmOption("TieredStopAtLevel").map(Integer::valueOf);
    if (stopLevel.isPresent() && stopLevel.get() < 4
        && vmOption("TieredCompilation").filter("true"::equals).isPresent()) {
      return "the C2 compiler is off (-XX:TieredStopAtLevel=" + stopLevel.get() + ")";
    }
    if (vmOption("UseFMA").filter("false"::equals).isPresent()) {
      return "the CPU has no fused multiply-add, which the Panama kernels use throughout";
    }
    return null;
  }

  /** A HotSpot flag's value, if the management API can read it here. */
  private static Optional<String> vmOption(String name) {
    try {
      var bean = ManagementFactory.getPlatformMXBean(
          com.sun.management.HotSpotDiagnosticMXBean.class);
      return bean == null ? Optional.empty() : Optional.of(bean.getVMOption(name).getValue());
    } catch (RuntimeException | LinkageError e) {
      // A trimmed runtime without jdk.management, or a flag this VM lacks: no evidence either way.
      return Optional.empty();
    }
  }

  private static TensorSupport createPanama() {
    return create(PANAMA_CLASS, TensorSupport.class);
  }

  /** An instance of a Panama class, loaded by name only now, by its no-argument constructor. */
  private static <T> T create(String className, Class<T> api) {
    try {
      var lookup = MethodHandles.lookup();
      Class<?> type = lookup.findClass(className);
      return api.cast(lookup.findConstructor(type, MethodType.methodType(void.class)).invoke());
    } catch (UnsupportedOperationException | Error e) {
      throw e;
    } catch (ReflectiveOperationException e) {
      throw new LinkageError(className + " is missing from the kernels jar", e);
    } catch (Throwable e) {
      throw new AssertionError(e);
    }
  }

  private static final class Scalar {
    static final TensorSupport INSTANCE = new ScalarTensorSupport();
  }

  private static final class ScalarGradients {
    static final TensorGradients INSTANCE = new ScalarTensorGradients();
  }
}
