#!/usr/bin/env bash
# The analysis commands end to end on a tiny model and tiny data: each writes a
# valid PNG of the expected size and prints sane numbers; bad arguments get one
# clear error line and a non-zero exit, and leave no file behind.
set -euo pipefail
latentpad=${1:?usage: analysis_test.sh path/to/latentpad}
work=$(mktemp -d /tmp/latentpad-analysis-XXXXXX)
trap 'rm -rf "$work"' EXIT
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# png_size FILE: "WIDTHxHEIGHT" from the IHDR chunk, or nothing if not a PNG.
png_size() {
  [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || return 0
  local w h
  w=$(od -An -tu1 -j16 -N4 "$1" | awk '{print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4}')
  h=$(od -An -tu1 -j20 -N4 "$1" | awk '{print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4}')
  echo "${w}x${h}"
}
expect_png() {  # expect_png FILE WxH
  local size
  size=$(png_size "$1")
  [ "$size" = "$2" ] && pass || fail "$1: expected a ${2} PNG, got '${size:-no PNG}'"
}
number() { sed -n "s/^$1 \\([-0-9.e]*\\).*/\\1/p" "$work/stdout" | head -1; }
between() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "" && v >= lo && v <= hi) }'; }
data=$work/data other=$work/other && mkdir -p "$data" "$other" "$work/out"
idx_images "$data/train-images-idx3-ubyte" 200 && idx_labels "$data/train-labels-idx1-ubyte" 200
idx_images "$data/t10k-images-idx3-ubyte" 40 && idx_labels "$data/t10k-labels-idx1-ubyte" 40
idx_images "$other/t10k-images-idx3-ubyte" 30 && idx_labels "$other/t10k-labels-idx1-ubyte" 30
model=$work/tiny.lpad
run_setup "train the tiny model" \
  "$latentpad" train --data "$data" --epochs 1 --batch 50 --hidden 16 --out "$model" >/dev/null
run_setup "train the tiny denoiser" \
  "$latentpad" train --data "$data" --epochs 1 --batch 50 --hidden 16 --noise saltpepper:0.2 --out "$work/dn.lpad" >/dev/null
"$latentpad" info --weights "$work/dn.lpad" | grep -q 'noise = saltpepper:0.2' && pass || fail "train --noise metadata"
out=$work/out

expect_ok reconstruct "$latentpad" reconstruct --data "$data" --weights "$model" --n 12 --out "$out/r.png"
expect_png "$out/r.png" 926x516
[ "$(grep -c '^image ' "$work/stdout")" -eq 12 ] && between "$(number mean_mse)" 0 1 && pass || fail "reconstruct numbers"

expect_ok embed "$latentpad" embed --data "$data" --weights "$model" --out "$out/e.png" --csv "$out/e.csv"
expect_png "$out/e.png" 960x900
[ "$(head -1 "$out/e.csv")" = x,y,label ] && [ "$(wc -l <"$out/e.csv")" -eq 41 ] && pass || fail "embed csv"
awk -F, 'NR > 1 && ($1 < -1 || $1 > 1 || $2 < -1 || $2 > 1) { bad = 1 } END { exit bad }' "$out/e.csv" && pass ||
  fail "embed: codes outside [-1,1]"

expect_ok generate "$latentpad" generate --weights "$model" --grid 4 --out "$out/g.png"
expect_png "$out/g.png" 420x480
grep -q '^decoded 16 codes' "$work/stdout" && pass || fail "generate count"
expect_ok generate-codes "$latentpad" generate --weights "$model" --codes "-1.5,-1.5 1.5,1.5 10,10 -100,100" --out "$out/c.png"
expect_png "$out/c.png" 420x156

expect_ok interpolate "$latentpad" interpolate --weights "$model" --from 0.5,-0.5 --to -0.5,0.5 --steps 5 --out "$out/i.png"
expect_png "$out/i.png" 420x244
[ "$(grep -c '^step [0-4] code' "$work/stdout")" -eq 5 ] && pass || fail "interpolate: expected 5 steps"
grep -qx 'step 0 code 0.500000 -0.500000' "$work/stdout" && grep -qx 'step 2 code 0.000000 0.000000' "$work/stdout" &&
  grep -qx 'step 4 code -0.500000 0.500000' "$work/stdout" && pass || fail "interpolate: the path's codes: $(cat "$work/stdout")"
expect_ok interpolate-test "$latentpad" interpolate --data "$data" --weights "$model" --from test:0 --to test:1 --out "$out/t.png"
# A test image's end of the path is its code: encode's first two rows.
expect_ok encode-for-interpolate "$latentpad" encode --data "$data" --weights "$model" --count 2
# encode prints 9 significant digits and interpolate 6 decimals: rounding the
# former again can differ in the last place, so compare as numbers.
first=$(sed -n '2p' "$work/stdout" | cut -d, -f3-4 | tr , ' ')
run_setup "interpolate from test:0 for its first step" \
  "$latentpad" interpolate --data "$data" --weights "$model" --from test:0 --to test:1 --out "$out/t.png" >"$work/stdout"
head -1 "$work/stdout" | awk -v code="$first" '
  { split(code, c, " "); d0 = $4 - c[1]; d1 = $5 - c[2]
    exit !($1 == "step" && $2 == 0 && $3 == "code" && d0 * d0 < 1e-12 && d1 * d1 < 1e-12) }' && pass ||
  fail "interpolate: test:0 is not at its code $first: $(head -1 "$work/stdout")"
expect_usage interpolate-steps "--steps must be between 2 and 32" "$latentpad" interpolate --weights "$model" --from 0,0 --to 1,1 --steps 1 --out "$out/x.png"
expect_usage interpolate-from "--from: test:99999 is not a test image" "$latentpad" interpolate --data "$data" --weights "$model" --from test:99999 --to 1,1 --out "$out/x.png"
expect_usage interpolate-to "--to is required" "$latentpad" interpolate --weights "$model" --from 0,0 --out "$out/x.png"

expect_ok plot-loss "$latentpad" plot-loss --log "$work/tiny.csv" --out "$out/l.png"
expect_png "$out/l.png" 900x560

expect_ok denoise "$latentpad" denoise --data "$data" --weights "$work/dn.lpad" --noise gaussian:0.3 --n 5 --out "$out/d.png"
expect_png "$out/d.png" 476x426
between "$(number psnr_noisy_db)" 0 60 && between "$(number psnr_denoised_db)" 0 60 && pass || fail "denoise psnr"

expect_ok finetune "$latentpad" finetune --data "$data" --weights "$model" --labels 20 --seeds 2 --epochs 3
grep -qE '^\| pretrained encoder \| 0\.[0-9]{4} \+- 0\.[0-9]{4} \|$' "$work/stdout" && pass || fail "finetune table"
[ "$(grep -c '^seed ' "$work/stdout")" -eq 2 ] && pass || fail "finetune seeds"

expect_ok probe "$latentpad" probe --data "$data" --weights "$model" --epochs 2
between "$(number knn_accuracy)" 0 1 && between "$(number linear_accuracy)" 0 1 && pass || fail "probe numbers"
expect_ok probe-layer "$latentpad" probe --data "$data" --weights "$model" --layer 16 --epochs 1
grep -q '16 dimensions' "$work/stdout" && pass || fail "probe --layer 16"

expect_ok anomaly "$latentpad" anomaly --data "$data" --outlier-data "$other" --weights "$model" --out "$out/a.png"
expect_png "$out/a.png" 900x560
between "$(number auroc)" 0 1 && pass || fail "anomaly auroc"
expect_ok holdout "$latentpad" anomaly --data "$data" --holdout 3 --epochs 1
between "$(number auroc)" 0 1 && pass || fail "holdout auroc"

expect_usage bad-noise "--noise: unknown noise 'blur:1'" "$latentpad" denoise --data "$data" --weights "$model" --noise blur:1 --out "$out/x.png"
expect_usage bad-grid "--grid must be" "$latentpad" generate --weights "$model" --grid 1 --out "$out/x.png"
expect_usage bad-codes "--codes: 'x' is not a number" "$latentpad" generate --weights "$model" --codes "1,1 x,2" --out "$out/x.png"
expect_usage bad-range "--range" "$latentpad" generate --weights "$model" --range 1,-1 --out "$out/x.png"
expect_error bad-log "not a latentpad training log" "$latentpad" plot-loss --log "$data/train-labels-idx1-ubyte" --out "$out/x.png"
expect_usage bad-labels "--labels must be" "$latentpad" finetune --data "$data" --weights "$model" --labels 5
expect_usage bad-layer "no layer of width 7" "$latentpad" probe --data "$data" --weights "$model" --layer 7
expect_usage bad-holdout "--holdout must be" "$latentpad" anomaly --data "$data" --holdout 12
expect_error bad-dir "No such file or directory" "$latentpad" reconstruct --data "$data" --weights "$model" --out "$work/none/x.png"
[ ! -e "$out/x.png" ] && pass || fail "a failed command left a file"
idx_labels "$work/badlabels" 200 && printf '\x0c' | dd of="$work/badlabels" bs=1 seek=20 conv=notrunc status=none
cp -r "$data" "$work/data2" && cp "$work/badlabels" "$work/data2/train-labels-idx1-ubyte"
expect_error label-range "classification needs labels 0..9" "$latentpad" probe --data "$work/data2" --weights "$model"

summary analysis
