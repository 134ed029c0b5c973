#!/usr/bin/env bash
# latentpad import and export end to end: the tutorial's .pth files in every
# form (training checkpoints and the legacy format too), hostile files refused
# with no side effect, safetensors that PyTorch
# decodes exactly as `latentpad decode` does, and one-half model files that
# the commands accept or refuse by the half they need.
set -euo pipefail
# realpath -m: a missing binary is reported by the first check that runs it.
latentpad=$(realpath -m "${1:?usage: interop_test.sh path/to/latentpad REPO}")
repo=$(realpath -m "${2:?usage: interop_test.sh path/to/latentpad REPO}")
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
run_setup "info of the imported model" "$latentpad" info --weights "$work/ae.lpad" >"$work/info"
grep -q '^encoder  784 -> 256 tanh -> 128 tanh -> 64 tanh -> 2 tanh' "$work/info" &&
  grep -q '^decoder  2 -> 64 tanh -> 128 tanh -> 256 tanh -> 784 sigmoid' "$work/info" &&
  grep -q '^meta     source = .*autoencoder.pth (torch.save of __main__.AutoEncoder)' "$work/info" && pass ||
  fail "imported architecture and metadata: $(cat "$work/info")"
expect_ok "import halves" "$latentpad" import "$fixtures/decoder.pth" "$fixtures/encoder.pth" --out "$work/halves.lpad"
run_setup "decode with the whole model" "$latentpad" decode --weights "$work/ae.lpad" --z 0.3,-0.4 >"$work/a.txt"
run_setup "decode with the imported halves" "$latentpad" decode --weights "$work/halves.lpad" --z 0.3,-0.4 >"$work/b.txt"
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
    case $file in valid_baseline.pth | legacy_baseline.pth) continue ;; esac
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

# --- training checkpoints, the legacy format, convolutions (make_checkpoint_fixtures.py) ---
expect_ok "import the tutorial's checkpoint" "$latentpad" import "$fixtures/ckpt_tutorial.pth" --out "$work/ckpt.lpad"
grep -q "^imported autoencoder: .*ckpt_tutorial.pth (torch.save of a dict; the state_dict under 'model_state_dict'); activations: the tutorial's" "$work/stdout" &&
  grep -q '^wrote .*ckpt.lpad (64-8 tanh-2 tanh | 2-8 tanh-64 sigmoid)$' "$work/stdout" && pass ||
  fail "the checkpoint import says which key it used: $(cat "$work/stdout")"
run_setup "decode with the checkpoint's model" "$latentpad" decode --weights "$work/ckpt.lpad" --z 0.3,-0.4 >"$work/ckpt.txt"
for f in legacy_checkpoint legacy_state_dict legacy_module ckpt_module ckpt_halves; do
  expect_ok "import $f" "$latentpad" import "$fixtures/$f.pth" --out "$work/$f.lpad"
  "$latentpad" decode --weights "$work/$f.lpad" --z 0.3,-0.4 >"$work/b.txt" 2>/dev/null &&
    cmp -s "$work/ckpt.txt" "$work/b.txt" && pass || fail "$f decodes unlike ckpt_tutorial.pth"
done
grep -q "^imported autoencoder: .*ckpt_halves.pth (torch.save of a dict; the state_dicts under 'encoder' and 'decoder')" "$work/stdout" &&
  pass || fail "halves in a checkpoint: $(cat "$work/stdout")"
expect_error "two models in a checkpoint" "^latentpad: error: cannot use .*ckpt_ema.pth: it holds two models, under 'model' \(64-8-2-8-64\) and 'ema_model' \(64-8-2-8-64\); choose one with --key NAME$" \
  "$latentpad" import "$fixtures/ckpt_ema.pth" --out "$work/x.lpad"
expect_ok "--key ema_model" "$latentpad" import "$fixtures/ckpt_ema.pth" --key ema_model --out "$work/ema.lpad"
grep -q "(torch.save of a dict; the state_dict under 'ema_model')" "$work/stdout" && pass || fail "--key: $(cat "$work/stdout")"
"$latentpad" decode --weights "$work/ema.lpad" --z 0.3,-0.4 >"$work/b.txt" 2>/dev/null &&
  ! cmp -s "$work/ckpt.txt" "$work/b.txt" && pass || fail "the EMA model decodes like the model, or not at all"
expect_error "--key not in the checkpoint" "it holds no model under 'opt'; it holds models under 'model' and 'ema_model'" \
  "$latentpad" import "$fixtures/ckpt_ema.pth" --key opt --out "$work/x.lpad"
expect_error "--key on a model file" "--key model: .*autoencoder.pth is not a dict holding models" \
  "$latentpad" import "$fixtures/autoencoder.pth" --key model --out "$work/x.lpad"
expect_ok "a VAE's checkpoint" "$latentpad" import "$fixtures/ckpt_vae.pth" --out "$work/ckpt_vae.lpad"
grep -q '^wrote .*(64-8 relu-(mu 2, logvar 2) | 2-8 relu-64 sigmoid)$' "$work/stdout" && pass || fail "VAE checkpoint: $(cat "$work/stdout")"
expect_error "legacy, truncated" "^latentpad: error: refusing .*legacy_truncated.pth: it is truncated: storage 7 needs 256 bytes, but 246 remain$" \
  "$latentpad" import "$fixtures/legacy_truncated.pth" --out "$work/x.lpad"
expect_error "legacy, a short storage" "its storage 7 holds 63 values, but the pickle says 64 float32 values$" \
  "$latentpad" import "$fixtures/legacy_short_storage.pth" --out "$work/x.lpad"
expect_error "a Conv2d module" "^latentpad: error: cannot use .*conv_module.pth: its module encoder.0 is a torch.nn.Conv2d; LatentPad reads MLPs \(Linear layers\) only$" \
  "$latentpad" import "$fixtures/conv_module.pth" --out "$work/x.lpad"
expect_error "a Conv2d state_dict" "its tensor encoder.0.weight is 4-D \(2x1x3x3\), a torch.nn.Conv2d's weight; LatentPad reads MLPs \(Linear layers\) only$" \
  "$latentpad" import "$fixtures/conv_state_dict.pth" --out "$work/x.lpad"
[ ! -e "$work/x.lpad" ] && pass || fail "a failed import wrote a file"

# --- export: safetensors that PyTorch reads, and halves --------------------------
expect_ok "export safetensors" "$latentpad" export --weights "$shipped" --format safetensors --out "$work/m.safetensors"
[ "sha256 $(sha256sum <"$work/m.safetensors" | cut -d' ' -f1)" = "$(head -1 "$fixtures/export_decode.txt")" ] && pass ||
  fail "the export is not the file PyTorch decoded (regenerate with tools/reference/make_export_fixture.py)"
# PyTorch's decode of those codes (tutorial AutoEncoder, load_state_dict) against latentpad decode.
while read -r code pixels; do
  run_setup "decode at $code" "$latentpad" decode --weights "$shipped" --z "$code" >"$work/decoded"
  tr ' ' '\n' <"$work/decoded" | grep . >"$work/ours"
  worst=$(echo "$pixels" | tr ' ' '\n' | paste - "$work/ours" |
    awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > m) m = d } END { printf "%.9f", m }')
  awk -v w="$worst" 'BEGIN { exit !(w < 1e-5) }' && pass || fail "decode at $code differs from PyTorch by $worst"
done < <(tail -n +2 "$fixtures/export_decode.txt")
[ "$(($(wc -l <"$fixtures/export_decode.txt") - 1))" -eq 6 ] && pass || fail "export fixture rows"

expect_ok "safetensors back in" "$latentpad" import "$work/m.safetensors" --out "$work/back.lpad"
run_setup "decode with the model back from safetensors" "$latentpad" decode --weights "$work/back.lpad" --z 0.7,0.1 >"$work/a.txt"
run_setup "decode with the shipped model" "$latentpad" decode --weights "$shipped" --z 0.7,0.1 >"$work/b.txt"
cmp -s "$work/a.txt" "$work/b.txt" && pass || fail "the safetensors round trip changed the model"

expect_ok "export encoder" "$latentpad" export --weights "$shipped" --part encoder --out "$work/enc.lpad"
expect_ok "export decoder" "$latentpad" export --weights "$shipped" --part decoder --out "$work/dec.lpad"
"$latentpad" info --weights "$work/enc.lpad" | grep -q '^kind     encoder$' && pass || fail "encoder kind"
"$latentpad" info --weights "$work/dec.lpad" | grep -q '^kind     decoder$' && pass || fail "decoder kind"
run_setup "decode with the decoder alone" "$latentpad" decode --weights "$work/dec.lpad" --z -0.2,0.5 >"$work/a.txt"
run_setup "decode with the shipped model" "$latentpad" decode --weights "$shipped" --z -0.2,0.5 >"$work/b.txt"
cmp -s "$work/a.txt" "$work/b.txt" && pass || fail "decode with the decoder alone"
expect_ok "generate with the decoder alone" "$latentpad" generate --weights "$work/dec.lpad" --out "$work/g.png"
run_setup "encode with the encoder alone" "$latentpad" encode --data "$data" --weights "$work/enc.lpad" >"$work/a.txt"
run_setup "encode with the shipped model" "$latentpad" encode --data "$data" --weights "$shipped" >"$work/b.txt"
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
expect_usage "bad --format" "--format must be lpad, safetensors or onnx" \
  "$latentpad" export --weights "$shipped" --format tflite --out "$work/x.tflite"
expect_usage "bad --part" "--part must be encoder or decoder" \
  "$latentpad" export --weights "$shipped" --part middle --out "$work/x.lpad"
[ ! -e "$work/x.lpad" ] && [ ! -e "$work/x.tflite" ] && pass || fail "a failed export wrote a file"

# --- variational autoencoders (tools/reference/make_vae_fixtures.py) ----------------
# The safetensors header's tensor names, in its order (the JSON between the u64 length and the data).
header_names() {
  local len
  len=$(od -An -tu8 -N8 "$1" | tr -d ' ')
  head -c "$((8 + len))" "$1" | tail -c +9 | grep -o '"[^"]*":{"dtype"' | sed 's/":{"dtype"//; s/^"//' | tr '\n' ' '
}
expect_ok "import pytorch/examples' VAE state_dict" "$latentpad" import "$fixtures/vae_state_dict.pth" --out "$work/vae.lpad"
grep -q '^imported variational autoencoder: .*vae_state_dict.pth (torch.save of a state_dict); heads fc21 (mu) and fc22 (logvar); activations: pytorch/examples'"'"' VAE'"'"'s, relu with a sigmoid output (the file has none); --activations sets others$' "$work/stdout" &&
  grep -q '^wrote .*vae.lpad (784-16 relu-(mu 3, logvar 3) | 3-16 relu-784 sigmoid)$' "$work/stdout" && pass ||
  fail "the VAE import says what it found and assumed: $(cat "$work/stdout")"
"$latentpad" info --weights "$work/vae.lpad" | grep -q 'variational autoencoder' && pass || fail "info: a VAE"
# PyTorch's vae.decode(z) of three codes against latentpad decode.
while read -r code pixels; do
  "$latentpad" decode --weights "$work/vae.lpad" --z "$code" | tr ' ' '\n' | grep . >"$work/ours"
  worst=$(echo "$pixels" | tr ' ' '\n' | paste - "$work/ours" |
    awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > m) m = d } END { printf "%.9f", m }')
  [ "$(wc -l <"$work/ours")" -eq 784 ] && awk -v w="$worst" 'BEGIN { exit !(w < 1e-5) }' && pass ||
    fail "VAE decode at $code differs from PyTorch by $worst"
done <"$fixtures/vae_decode.txt"
expect_ok "import a whole pytorch/examples VAE module" "$latentpad" import "$fixtures/vae_module.pth" --out "$work/vaem.lpad"
grep -q '^wrote .*(784-8 relu-(mu 2, logvar 2) | 2-8 relu-784 sigmoid)$' "$work/stdout" && pass ||
  fail "the module VAE: $(cat "$work/stdout")"
expect_ok "import fc_mu/fc_logvar in an encoder" "$latentpad" import "$fixtures/vae_nested_state_dict.pth" --out "$work/nested.lpad"
grep -q '; heads encoder.fc_mu (mu) and encoder.fc_logvar (logvar);' "$work/stdout" && pass || fail "nested heads: $(cat "$work/stdout")"
expect_ok "import the nested VAE module" "$latentpad" import "$fixtures/vae_nested_module.pth" --out "$work/nestedm.lpad"
grep -q 'activations' "$work/stdout" && fail "a module with activation modules assumes none: $(cat "$work/stdout")" || pass
"$latentpad" decode --weights "$work/nested.lpad" --z 0.1,-0.2,0.3 >"$work/nested.txt"
"$latentpad" decode --weights "$work/nestedm.lpad" --z 0.1,-0.2,0.3 >"$work/b.txt"
cmp -s "$work/nested.txt" "$work/b.txt" && pass || fail "the nested state_dict and module decode alike"

expect_error "merged heads need --vae-split" "its layer encoder.4 gives 6 values, but the next, decoder.0, takes 3: .*pass --vae-split$" \
  "$latentpad" import "$fixtures/vae_split_state_dict.pth" --out "$work/x.lpad"
expect_ok "--vae-split" "$latentpad" import "$fixtures/vae_split_state_dict.pth" --vae-split --out "$work/split.lpad"
grep -q '; heads encoder.4 split in halves, mu then logvar (--vae-split);' "$work/stdout" && pass || fail "split heads: $(cat "$work/stdout")"
"$latentpad" decode --weights "$work/split.lpad" --z 0.1,-0.2,0.3 >"$work/b.txt"
cmp -s "$work/nested.txt" "$work/b.txt" && pass || fail "--vae-split gives the nested model"
expect_error "unknown heads" "^latentpad: error: cannot use .*vae_unknown_heads.pth: two layers read the same input \(z_mean and z_log_var, 8 -> 3 each\): this looks like a VAE's heads, but their names are not ones LatentPad knows: pass --vae-heads z_mean,z_log_var \(the mean's layer first\)$" \
  "$latentpad" import "$fixtures/vae_unknown_heads.pth" --out "$work/x.lpad"
expect_ok "--vae-heads" "$latentpad" import "$fixtures/vae_unknown_heads.pth" --vae-heads z_mean,z_log_var --out "$work/named.lpad"
"$latentpad" decode --weights "$work/named.lpad" --z 0.1,-0.2,0.3 >"$work/b.txt"
cmp -s "$work/nested.txt" "$work/b.txt" && pass || fail "--vae-heads gives the nested model"
expect_error "--vae-heads not in the file" "--vae-heads names z_mean and logvar, but it holds only z_mean" \
  "$latentpad" import "$fixtures/vae_unknown_heads.pth" --vae-heads z_mean,logvar --out "$work/x.lpad"
expect_usage "--vae-heads one name" "--vae-heads: 'z_mean' is not two layer names MU,LOGVAR" \
  "$latentpad" import "$fixtures/vae_unknown_heads.pth" --vae-heads z_mean --out "$work/x.lpad"
expect_usage "--vae-heads with --vae-split" "exclude each other" \
  "$latentpad" import "$fixtures/vae_unknown_heads.pth" --vae-heads a,b --vae-split --out "$work/x.lpad"

expect_ok "VAE --activations" "$latentpad" import "$fixtures/vae_state_dict.pth" --activations tanh,identity,tanh,sigmoid \
  --out "$work/vae_tanh.lpad"
grep -q '(784-16 tanh-(mu 3, logvar 3) | 3-16 tanh-784 sigmoid)$' "$work/stdout" && pass || fail "VAE --activations: $(cat "$work/stdout")"
expect_error "VAE --activations count" "--activations lists 5 activations, but the Linear layers number 4 \(the VAE's mu and logvar heads count as one\)" \
  "$latentpad" import "$fixtures/vae_state_dict.pth" --activations relu,identity,identity,relu,sigmoid --out "$work/x.lpad"
expect_error "VAE heads must be linear" "heads must be linear, not tanh" \
  "$latentpad" import "$fixtures/vae_state_dict.pth" --activations relu,tanh,relu,sigmoid --out "$work/x.lpad"

# Export: pytorch/examples' names for its shape, encoder.N/mu/logvar/decoder.N otherwise; back bit for bit.
expect_ok "export a VAE of pytorch/examples' shape" "$latentpad" export --weights "$work/vae.lpad" --out "$work/vae.safetensors"
grep -q "^names: pytorch/examples' VAE (fc1, fc21 mu, fc22 logvar, fc3, fc4)$" "$work/stdout" && pass || fail "export names line: $(cat "$work/stdout")"
names=$(header_names "$work/vae.safetensors")
for n in fc1.weight fc1.bias fc21.weight fc21.bias fc22.weight fc22.bias fc3.weight fc3.bias fc4.weight fc4.bias; do
  case " $names" in *" $n "*) pass ;; *) fail "the export lacks $n: $names" ;; esac
done
[ "$(echo "$names" | wc -w)" -eq 10 ] && pass || fail "the export holds other tensors: $names"
expect_ok "export a VAE with other activations" "$latentpad" export --weights "$work/vae_tanh.lpad" --out "$work/vae_tanh.safetensors"
grep -q "^note: its activations are not that VAE's" "$work/stdout" && pass || fail "no note on other activations: $(cat "$work/stdout")"
expect_ok "export another VAE" "$latentpad" export --weights "$work/nested.lpad" --out "$work/nested.safetensors"
[ "$(header_names "$work/nested.safetensors")" = "encoder.0.weight encoder.0.bias encoder.2.weight encoder.2.bias mu.weight mu.bias logvar.weight logvar.bias decoder.0.weight decoder.0.bias decoder.2.weight decoder.2.bias " ] &&
  pass || fail "generic VAE names: $(header_names "$work/nested.safetensors")"
for m in vae vae_tanh nested; do
  expect_ok "import the $m export" "$latentpad" import "$work/$m.safetensors" --out "$work/$m.back.lpad"
  "$latentpad" export --weights "$work/$m.back.lpad" --out "$work/$m.back.safetensors" >/dev/null
  cmp -s "$work/$m.safetensors" "$work/$m.back.safetensors" && pass || fail "the $m round trip changed the model"
  "$latentpad" info --weights "$work/$m.back.lpad" | grep -q 'variational autoencoder' && pass || fail "$m round trip: not a VAE"
done
# ... and the bit-for-bit claim is not vacuous: another model exports differently.
cmp -s "$work/vae.safetensors" "$work/vae_tanh.safetensors" && fail "different activations, same export" || pass
expect_ok "export a VAE encoder" "$latentpad" export --weights "$work/nested.lpad" --part encoder --out "$work/nenc.safetensors"
grep -q "^wrote .*: the VAE encoder of " "$work/stdout" && pass || fail "VAE half export line: $(cat "$work/stdout")"
expect_ok "export a VAE decoder" "$latentpad" export --weights "$work/nested.lpad" --part decoder --out "$work/ndec.safetensors"
expect_ok "VAE halves back in" "$latentpad" import "$work/ndec.safetensors" "$work/nenc.safetensors" --out "$work/halves.lpad"
"$latentpad" decode --weights "$work/halves.lpad" --z 0.1,-0.2,0.3 >"$work/b.txt"
cmp -s "$work/nested.txt" "$work/b.txt" && pass || fail "the VAE's halves make the VAE"

summary interop_test
