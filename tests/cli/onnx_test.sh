#!/usr/bin/env bash
# latentpad export --format onnx end to end, on the shipped MNIST autoencoder
# and VAE: each whole, --part encoder and --part decoder; every file passes
# Debian's ONNX checker (python3-onnx, full_check: strict shape inference too)
# and runs in ONNX Runtime (npm onnxruntime-node) as `latentpad encode` and
# `latentpad decode` do, to 1e-5 (tests/cli/onnx_check.mjs); errors are one line.
# Skipped (exit 77) when python3-onnx or tools/node_modules/onnxruntime-node is
# missing: tools/test installs both (lp_setup_apt python3-onnx, lp_setup_npm).
set -euo pipefail
latentpad=$(realpath -m "${1:?usage: onnx_test.sh path/to/latentpad REPO}")
repo=$(realpath -m "${2:?usage: onnx_test.sh path/to/latentpad REPO}")
work=$(mktemp -d /tmp/latentpad-onnx-XXXXXX)
trap 'rm -rf "$work"' EXIT
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Debian's python3-onnx belongs to Debian's python3, which another python3
# first on PATH (pyenv, a venv) would not see.
python=/usr/bin/python3
if ! "$python" -c 'import onnx' 2>/dev/null; then
  echo "SKIP: python3-onnx is not installed (tools/test installs it)"
  exit 77
fi
if ! command -v node >/dev/null || [ ! -d "$repo/tools/node_modules/onnxruntime-node" ]; then
  echo "SKIP: node or tools/node_modules/onnxruntime-node is missing (tools/test installs them)"
  exit 77
fi

# Random test images: every pixel value, no data set needed.
data=$work/data && mkdir -p "$data"
idx_images "$data/t10k-images-idx3-ubyte" 8 && idx_labels "$data/t10k-labels-idx1-ubyte" 8

for name in mnist mnist-vae; do
  weights=$repo/weights/$name.lpad
  out=$work/$name && mkdir -p "$out"
  expect_ok "$name: export whole" "$latentpad" export --weights "$weights" --out "$out/model.onnx"
  # The graph line says what goes in and out.
  if [ "$name" = mnist ]; then
    want='graph: opset 13, x \[batch, 784\] -> reconstruction \[batch, 784\]$'
  else
    want='graph: opset 13, x \[batch, 784\] -> mu \[batch, 2\], logvar \[batch, 2\], reconstruction \[batch, 784\]$'
  fi
  grep -q "^wrote $out/model.onnx: the .* of $weights as onnx ([0-9]* bytes)$" "$work/stdout" &&
    grep -q "^$want" "$work/stdout" && pass || fail "$name: export says what it wrote: $(cat "$work/stdout")"
  expect_ok "$name: export encoder" "$latentpad" export --weights "$weights" --part encoder --format onnx \
    --out "$out/encoder.onnx"
  expect_ok "$name: export decoder" "$latentpad" export --weights "$weights" --part decoder --format onnx \
    --out "$out/decoder.onnx"
  grep -q '^graph: opset 13, code \[batch, [0-9]*\] -> image \[batch, 784\]$' "$work/stdout" && pass ||
    fail "$name: the decoder's graph line: $(cat "$work/stdout")"

  # ONNX's own checker, with strict shape inference; and the metadata.
  expect_ok "$name: onnx.checker" "$python" - "$out" <<'EOF'
import sys, onnx
for part in ("model", "encoder", "decoder"):
    m = onnx.load(f"{sys.argv[1]}/{part}.onnx")
    onnx.checker.check_model(m, full_check=True)
    meta = {p.key: p.value for p in m.metadata_props}
    assert m.opset_import[0].version == 13, m.opset_import
    assert meta["latentpad.part"] == {"model": "whole", "encoder": "encoder", "decoder": "decoder"}[part], meta
    for k in ("latentpad.kind", "latentpad.latent", "latentpad.layers", "dataset"):
        assert k in meta, (part, k, meta)
    print(part, "ok:", meta["latentpad.kind"], meta["latentpad.layers"])
EOF
  expect_ok "$name: onnxruntime vs encode/decode" node "$repo/tests/cli/onnx_check.mjs" "$latentpad" "$weights" "$out" \
    "$data"
  cat "$work/stdout"
done

# --- errors: one line, nothing written -------------------------------------------
expect_usage "bad --part" "--part must be encoder or decoder" \
  "$latentpad" export --weights "$repo/weights/mnist.lpad" --part trunk --out "$work/x.onnx"
expect_usage "bad --format" "--format must be lpad, safetensors or onnx" \
  "$latentpad" export --weights "$repo/weights/mnist.lpad" --format tflite --out "$work/x.onnx"
expect_error "unwritable path" "$work/missing/x.onnx" \
  "$latentpad" export --weights "$repo/weights/mnist.lpad" --out "$work/missing/x.onnx"
run_setup "an encoder-only model file" "$latentpad" export --weights "$repo/weights/mnist.lpad" --part encoder \
  --out "$work/encoder.lpad" >/dev/null
expect_error "a half the file lacks" "has no decoder" \
  "$latentpad" export --weights "$work/encoder.lpad" --part decoder --out "$work/x.onnx"
[ ! -e "$work/x.onnx" ] && pass || fail "a failed export leaves no file"

summary "onnx_test"
