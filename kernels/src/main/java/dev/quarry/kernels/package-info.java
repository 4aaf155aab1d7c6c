/**
 * Compute primitives for the encoder behind one interface, {@link dev.quarry.kernels.TensorSupport},
 * with a scalar reference backend and a Vector API backend chosen by
 * {@link dev.quarry.kernels.KernelProvider}.
 */
package dev.quarry.kernels;
