#!/usr/bin/env bash
# Compiles the CUDA C sources in $1 into resources under $2:
#   quarry.ptx     PTX for compute_80 (any GPU from Ampere on; the driver compiles it at load)
#   quarry.fatbin  sm_90 machine code (H100/H200, no compile at load) plus the same PTX
#   kernels.properties  the nvcc version that built them
# Without nvcc it prints one line and succeeds: the CUDA backend then reports "built without kernels".
# A compile error fails the build (CI has nvcc, so broken kernels never pass).
set -euo pipefail
src=$1; out=$2
nvcc=${NVCC:-}
if [ -z "$nvcc" ]; then
  for c in "$(command -v nvcc 2>/dev/null || true)" "${CUDA_HOME:-/nonexistent}/bin/nvcc" /usr/local/cuda/bin/nvcc; do
    if [ -n "$c" ] && [ -x "$c" ]; then nvcc=$c; break; fi
  done
fi
if [ -z "$nvcc" ]; then
  echo "native: nvcc not found (PATH, CUDA_HOME, /usr/local/cuda): building without CUDA kernels"
  exit 0
fi
mkdir -p "$out"
cu="$src/quarry.cu"
# Rebuild only when a source is newer than the outputs: nvcc takes a while on small build machines.
if [ -f "$out/quarry.ptx" ] && [ -f "$out/quarry.fatbin" ] && [ -z "$(find "$src" -newer "$out/quarry.fatbin" -print -quit)" ]; then
  exit 0
fi
flags=(-std=c++17 -O3 -lineinfo -I"$src")
"$nvcc" "${flags[@]}" -ptx -arch=compute_80 -o "$out/quarry.ptx" "$cu"
"$nvcc" "${flags[@]}" -fatbin -gencode arch=compute_90,code=sm_90 -gencode arch=compute_80,code=compute_80 \
  -o "$out/quarry.fatbin" "$cu"
echo "nvcc=$("$nvcc" --version | tail -1)" > "$out/kernels.properties"
echo "native: compiled $(basename "$cu") with $nvcc (PTX compute_80, fatbin sm_90)"
