package dev.quarry.index.store;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Asks Linux to back a mapped file with 2 MB pages ({@code madvise(MADV_HUGEPAGE)}), so that a
 * search scoring vectors all over a large file misses the TLB far less: one entry covers 512 times
 * what a 4 KB page does. On kernels whose page cache holds large folios for the file system (ext4
 * and XFS in recent kernels) the pages read in after the advice come as 2 MB folios, mapped whole.
 * Pages already cached keep the size they were read or written with, which is why {@link
 * StoreOutput} writes in aligned 2 MB blocks.
 *
 * <p>Advice only: elsewhere than Linux, or without native access for this module, it does nothing,
 * and a refused call changes nothing either.
 */
final class HugePages {

  private static final int MADV_HUGEPAGE = 14;
  private static final MethodHandle MADVISE = lookup();

  private HugePages() {}

  private static MethodHandle lookup() {
    if (!System.getProperty("os.name", "").startsWith("Linux") || !HugePages.class.getModule().isNativeAccessEnabled()) {
      return null;
    }
    try {
      Linker linker = Linker.nativeLinker();
      return linker.defaultLookup().find("madvise").map(address -> linker.downcallHandle(address,
          FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT)))
          .orElse(null);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Advises huge pages for {@code mapping} (page-aligned, as a file mapping is); ignores failure. */
  static void advise(MemorySegment mapping) {
    if (MADVISE == null || mapping.byteSize() < 2L << 20) return;
    try {
      int ignored = (int) MADVISE.invokeExact(mapping, mapping.byteSize(), MADV_HUGEPAGE);
    } catch (Throwable e) {
      // Advice: a kernel built without transparent huge pages refuses it, and that is fine.
    }
  }
}
