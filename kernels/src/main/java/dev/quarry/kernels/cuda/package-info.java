/**
 * The CUDA backend: a device context with one stream, device and pinned host memory, the kernel
 * module that {@code native/} compiles, launches, cuBLAS GEMMs on the same device pointers, and
 * CUDA graphs. The driver API comes from JCuda (it links only {@code libcuda.so.1}); cuBLAS from the
 * bytedeco CUDA 13 presets, because JCuda's cuBLAS binding needs CUDA 12's libraries.
 */
package dev.quarry.kernels.cuda;
