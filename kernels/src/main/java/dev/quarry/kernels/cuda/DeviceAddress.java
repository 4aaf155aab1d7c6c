package dev.quarry.kernels.cuda;

import jcuda.driver.CUdeviceptr;

/** A {@link CUdeviceptr} whose raw address can be read: kernel arguments and cuBLAS take it as a number. */
final class DeviceAddress extends CUdeviceptr {

  DeviceAddress() {}

  private DeviceAddress(DeviceAddress base, long byteOffset) {
    super(base, byteOffset);
  }

  long address() {
    return getNativePointer() + getByteOffset();
  }

  DeviceAddress offset(long bytes) {
    return new DeviceAddress(this, bytes);
  }
}
