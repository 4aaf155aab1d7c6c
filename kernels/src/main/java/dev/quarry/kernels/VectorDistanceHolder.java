package dev.quarry.kernels;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Picks the {@link VectorDistances} backend to match {@link KernelProvider}'s choice, loading the
 * Panama one by name so that a JVM without the Vector API module never touches it.
 */
final class VectorDistanceHolder {

  static final VectorDistances SCALAR = new ScalarVectorDistances();
  static final VectorDistances CHOSEN = choose();

  private VectorDistanceHolder() {}

  private static VectorDistances choose() {
    if (!"panama".equals(KernelProvider.backendName())) return SCALAR;
    try {
      var lookup = MethodHandles.lookup();
      Class<?> type = lookup.findClass("dev.quarry.kernels.PanamaVectorDistances");
      return (VectorDistances) lookup.findConstructor(type, MethodType.methodType(void.class)).invoke();
    } catch (IllegalStateException e) {
      System.getLogger(VectorDistanceHolder.class.getName())
          .log(System.Logger.Level.WARNING, e.getMessage() + ": vector distances run scalar");
      return SCALAR;
    } catch (Error | RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new LinkageError("dev.quarry.kernels.PanamaVectorDistances is missing from the kernels jar", e);
    }
  }
}
