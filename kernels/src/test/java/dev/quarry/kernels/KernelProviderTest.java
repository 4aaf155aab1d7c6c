package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Backend choice: forcing, the error for a bad value, and the automatic choice under test. */
class KernelProviderTest {

  @Test
  void forcingScalarGivesTheOracle() {
    assertSame(KernelProvider.scalar(), KernelProvider.lookup("scalar"));
    assertSame(KernelProvider.scalar(), KernelProvider.lookup(" Scalar "));
    assertEquals("scalar", KernelProvider.nameOf(KernelProvider.lookup("scalar")));
  }

  @Test
  void forcingPanamaGivesTheVectorBackend() {
    TensorSupport panama = KernelProvider.lookup("panama");
    assertTrue(panama instanceof PanamaTensorSupport, panama.toString());
    assertEquals("panama", KernelProvider.nameOf(panama));
  }

  @Test
  void anUnknownValueNamesThePropertyAndTheValidValues() {
    var e = assertThrows(IllegalArgumentException.class, () -> KernelProvider.lookup("cuda"));
    assertEquals("system property quarry.kernels is \"cuda\": the valid values are scalar and"
        + " panama (or leave it unset to choose)", e.getMessage());
  }

  @Test
  void theTestJvmQualifiesForPanama() {
    // Surefire runs with --add-modules jdk.incubator.vector on a C2 HotSpot.
    assertNull(KernelProvider.panamaUnavailableReason());
    assertEquals("panama", KernelProvider.nameOf(KernelProvider.lookup(null)));
    assertSame(KernelProvider.tensorSupport(), KernelProvider.tensorSupport());
    String expected = System.getProperty(KernelProvider.PROPERTY) == null
        ? "panama" : System.getProperty(KernelProvider.PROPERTY).trim();
    assertEquals(expected, KernelProvider.backendName());
  }
}
