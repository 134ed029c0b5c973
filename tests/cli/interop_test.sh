#!/usr/bin/env bash
# latentpad import and export end to end: the tutorial's .pth files in every
# form, hostile files refused with no side effect, safetensors that PyTorch
# decodes exactly as `latentpad decode` does, and one-half model files that
# the commands accept or refuse by the half they need.
set -euo pipefail
latentpad=$(realpath "${1:?usage: interop_test.sh path/to/latentpad REPO}")
repo=$(realpath "${2:?usage: interop_test.sh path/to/latentpad REPO}")
work=$(mktemp -d /tmp/latentpad-interop-XXXXXX)
trap 'rm -rf "$work"' EXIT
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
fixtures=$repo/tests/fixtures/torch
shipped=$repo/weights/mnist.lpad
data=$work/data && mkdir -p "$data"
idx_images "$data/t10k-images-idx3-ubyte" 20 && idx_labels "$data/t10k-labels-idx1-ubyte" 20

# --- import: every form the tutorial leaves behind ------------------------------
expect_ok "import whole model" "$latentpad" import "$fixtures/autoencoder.pth" --out "$work/ae.lpad"
grep -q '^imported autoencoder: .*autoencoder.pth (torch.save of __main__.AutoEncoder)' "$work/stdout" && pass ||
  fail "import names its source: $(cat "$work/stdout")"
"$latentpad" info --weights "$work/ae.lpad" >"$work/info"
grep -q '^encoder  784 -> 256 tanh -> 128 tanh -> 64 tanh -> 2 tanh' "$work/info" &&
  grep -q '^decoder  2 -> 64 tanh -> 128 tanh -> 256 tanh -> 784 sigmoid' "$work/info" &&
  grep -q '^meta     source = .*autoencoder.pth (torch.save of __main__.AutoEncoder)' "$work/info" && pass ||
  fail "imported architecture and metadata: $(cat "$work/info")"
expect_ok "import halves" "$latentpad" import "$fixtures/decoder.pth" "$fixtures/encoder.pth" --out "$work/halves.lpad"
"$latentpad" decode --weights "$work/ae.lpad" --z 0.3,-0.4 >"$work/a.txt"
"$latentpad" decode --weights "$work/halves.lpad" --z 0.3,-0.4 >"$work/b.txt"
cmp -s "$work/a.txt" "$work/b.txt" && pass || fail "the halves decode like the whole model"
expect_ok "import state_dict" "$latentpad" import "$fixtures/state_dict_f16.pth" --out "$work/sd.lpad"
expect_ok "import with --activations" "$latentpad" import "$fixtures/small_f64_state_dict.pth" \
  --activations relu,tanh,relu,sigmoid --out "$work/small.lpad"
"$latentpad" info --weights "$work/small.lpad" | grep -q '^encoder  6 -> 4 relu -> 2 tanh' && pass ||
  fail "--activations sets the activations"
expect_error "--activations count" "--activations lists 2 activations, but the Linear layers number 4" \
  "$latentpad" import "$fixtures/small_f64_state_dict.pth" --activations relu,tanh --out "$work/x.lpad"
expect_usage "--activations name" "--activations: 'relu,swish' is not a list" \
  "$latentpad" import "$fixtures/small_f64_state_dict.pth" --activations relu,swish --out "$work/x.lpad"
expect_usage "three files" "one model file, or an encoder and a decoder" \
  "$latentpad" import "$fixtures/encoder.pth" "$fixtures/decoder.pth" "$fixtures/encoder.pth" --out "$work/x.lpad"
expect_error "two encoders" "two files must be an encoder and a decoder" \
  "$latentpad" import "$fixtures/encoder.pth" "$fixtures/encoder.pth" --out "$work/x.lpad"
expect_usage "no --out" "--out is required" "$latentpad" import "$fixtures/encoder.pth"
[ ! -e "$work/x.lpad" ] && pass || fail "a failed import wrote a file"

# --- hostile files: refused, named, and nothing happens -----------------------------
# Run from a scratch folder: the pickles would create ./latentpad-pwned if run.
sandbox=$work/sandbox && mkdir -p "$sandbox" && cp "$fixtures"/hostile/*.pth "$sandbox"/
echo "the old model" >"$sandbox/existing.lpad"
pushd "$sandbox" >/dev/null
  expect_error "posix.system" '^latentpad: error: refusing posix_system.pth: it asks to call posix.system; a model file never needs that$' \
    "$latentpad" import posix_system.pth --out model.lpad
  for file in *.pth; do
    [ "$file" = valid_baseline.pth ] && continue
    expect_error "hostile $file" "^latentpad: error: refusing $file: " "$latentpad" import "$file" --out model.lpad
    expect_error "hostile $file over a model" "^latentpad: error: refusing $file: " \
      "$latentpad" import "$file" --out existing.lpad
  done
  [ ! -e model.lpad ] && pass || fail "a refused import wrote model.lpad"
  [ "$(cat existing.lpad)" = "the old model" ] && pass || fail "a refused import touched the existing file"
  [ -z "$(find . -name 'latentpad-pwned*')" ] && pass || fail "a hostile pickle created a file"
  [ "$(find . -type f | wc -l)" -eq "$(($(ls "$fixtures"/hostile/*.pth | wc -l) + 1))" ] && pass ||
    fail "the refusals left files behind: $(ls -a)"
popd >/dev/null

# --- export: safetensors that PyTorch reads, and halves --------------------------
expect_ok "export safetensors" "$latentpad" export --weights "$shipped" --format safetensors --out "$work/m.safetensors"
[ "sha256 $(sha256sum <"$work/m.safetensors" | cut -d' ' -f1)" = "$(head -1 "$fixtures/export_decode.txt")" ] && pass ||
  fail "the export is not the file PyTorch decoded (regenerate with tools/reference/make_export_fixture.py)"
# PyTorch's decode of those codes (tutorial AutoEncoder, load_state_dict) against latentpad decode.
while read -r code pixels; do
  "$latentpad" decode --weights "$shipped" --z "$code" | tr ' ' '\n' | grep . >"$work/ours"
  worst=$(echo "$pixels" | tr ' ' '\n' | paste - "$work/ours" |
    awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > m) m = d } END { printf "%.9f", m }')
  awk -v w="$worst" 'BEGIN { exit !(w < 1e-5) }' && pass || fail "decode at $code differs from PyTorch by $worst"
done < <(tail -n +2 "$fixtures/export_decode.txt")
[ "$(($(wc -l <"$fixtures/export_decode.txt") - 1))" -eq 6 ] && pass || fail "export fixture rows"

expect_ok "safetensors back in" "$latentpad" import "$work/m.safetensors" --out "$work/back.lpad"
"$latentpad" decode --weights "$work/back.lpad" --z 0.7,0.1 >"$work/a.txt"
"$latentpad" decode --weights "$shipped" --z 0.7,0.1 >"$work/b.txt"
cmp -s "$work/a.txt" "$work/b.txt" && pass || fail "the safetensors round trip changed the model"

expect_ok "export encoder" "$latentpad" export --weights "$shipped" --part encoder --out "$work/enc.lpad"
expect_ok "export decoder" "$latentpad" export --weights "$shipped" --part decoder --out "$work/dec.lpad"
"$latentpad" info --weights "$work/enc.lpad" | grep -q '^kind     encoder$' && pass || fail "encoder kind"
"$latentpad" info --weights "$work/dec.lpad" | grep -q '^kind     decoder$' && pass || fail "decoder kind"
"$latentpad" decode --weights "$work/dec.lpad" --z -0.2,0.5 >"$work/a.txt"
"$latentpad" decode --weights "$shipped" --z -0.2,0.5 >"$work/b.txt"
cmp -s "$work/a.txt" "$work/b.txt" && pass || fail "decode with the decoder alone"
expect_ok "generate with the decoder alone" "$latentpad" generate --weights "$work/dec.lpad" --out "$work/g.png"
"$latentpad" encode --data "$data" --weights "$work/enc.lpad" >"$work/a.txt"
"$latentpad" encode --data "$data" --weights "$shipped" >"$work/b.txt"
cmp -s "$work/a.txt" "$work/b.txt" && pass || fail "encode with the encoder alone"
expect_ok "embed with the encoder alone" "$latentpad" embed --data "$data" --weights "$work/enc.lpad" --out "$work/e.png"
expect_error "decode needs the decoder" "enc.lpad holds only the encoder; this command needs the decoder" \
  "$latentpad" decode --weights "$work/enc.lpad" --z 0,0
expect_error "encode needs the encoder" "dec.lpad holds only the decoder; this command needs the encoder" \
  "$latentpad" encode --data "$data" --weights "$work/dec.lpad"
expect_error "eval needs both" "enc.lpad holds only the encoder; this command needs the whole autoencoder \(the decoder is missing\)" \
  "$latentpad" eval --data "$data" --weights "$work/enc.lpad"
expect_error "export a missing half" "dec.lpad holds only the decoder; it has no encoder" \
  "$latentpad" export --weights "$work/dec.lpad" --part encoder --out "$work/x.lpad"
expect_ok "export a half as safetensors" "$latentpad" export --weights "$work/enc.lpad" --out "$work/enc.safetensors"
expect_ok "import a half from safetensors" "$latentpad" import "$work/enc.safetensors" --out "$work/enc2.lpad"
"$latentpad" info --weights "$work/enc2.lpad" | grep -q '^kind     encoder$' && pass || fail "safetensors half kind"
expect_usage "bad --format" "--format must be lpad or safetensors" \
  "$latentpad" export --weights "$shipped" --format onnx --out "$work/x.onnx"
expect_usage "bad --part" "--part must be encoder or decoder" \
  "$latentpad" export --weights "$shipped" --part middle --out "$work/x.lpad"
[ ! -e "$work/x.lpad" ] && [ ! -e "$work/x.onnx" ] && pass || fail "a failed export wrote a file"

summary interop_test
