#!/usr/bin/env bash
# The analysis commands end to end on a tiny model and tiny data: each writes a
# valid PNG of the expected size and prints sane numbers; bad arguments get one
# clear error line and a non-zero exit, and leave no file behind.
set -euo pipefail
latentpad=${1:?usage: analysis_test.sh path/to/latentpad}
work=$(mktemp -d /tmp/latentpad-analysis-XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

be32() { printf "\\x$(printf %02x $(($1 >> 24 & 255)))\\x$(printf %02x $(($1 >> 16 & 255)))\\x$(printf %02x $(($1 >> 8 & 255)))\\x$(printf %02x $(($1 & 255)))"; }
# images FILE N: random 28x28 digits; labels FILE N: classes 0..9 in turn.
images() { { printf '\x00\x00\x08\x03'; be32 "$2"; be32 28; be32 28; head -c $(($2 * 784)) /dev/urandom; } >"$1"; }
labels() {
  { printf '\x00\x00\x08\x01'; be32 "$2"; for ((i = 0; i < $2; i++)); do printf "\\x0$((i % 10))"; done; } >"$1"
}
# png_size FILE: "WIDTHxHEIGHT" from the IHDR chunk, or nothing if not a PNG.
png_size() {
  [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || return 0
  local w h
  w=$(od -An -tu1 -j16 -N4 "$1" | awk '{print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4}')
  h=$(od -An -tu1 -j20 -N4 "$1" | awk '{print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4}')
  echo "${w}x${h}"
}
run() {  # run NAME CMD...: must succeed; output in $work/stdout
  local name=$1
  shift
  if "$@" >"$work/stdout" 2>"$work/stderr"; then pass; else fail "$name: exit $?: $(cat "$work/stderr")"; fi
}
expect_png() {  # expect_png FILE WxH
  local size
  size=$(png_size "$1")
  [ "$size" = "$2" ] && pass || fail "$1: expected a ${2} PNG, got '${size:-no PNG}'"
}
number() { sed -n "s/^$1 \\([-0-9.e]*\\).*/\\1/p" "$work/stdout" | head -1; }
between() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "" && v >= lo && v <= hi) }'; }
expect_error() {  # expect_error NAME PATTERN CMD...
  local name=$1 pattern=$2 rc=0
  shift 2
  "$@" >"$work/stdout" 2>"$work/stderr" || rc=$?
  if [ "$rc" -eq 0 ]; then fail "$name: succeeded"; return; fi
  grep -qE -e "$pattern" "$work/stderr" && [ "$(grep -c . "$work/stderr")" -le 2 ] && pass ||
    fail "$name: stderr: $(cat "$work/stderr")"
}

data=$work/data other=$work/other && mkdir -p "$data" "$other" "$work/out"
images "$data/train-images-idx3-ubyte" 200 && labels "$data/train-labels-idx1-ubyte" 200
images "$data/t10k-images-idx3-ubyte" 40 && labels "$data/t10k-labels-idx1-ubyte" 40
images "$other/t10k-images-idx3-ubyte" 30 && labels "$other/t10k-labels-idx1-ubyte" 30
model=$work/tiny.lpad
"$latentpad" train --data "$data" --epochs 1 --batch 50 --hidden 16 --out "$model" >/dev/null 2>&1
"$latentpad" train --data "$data" --epochs 1 --batch 50 --hidden 16 --noise saltpepper:0.2 --out "$work/dn.lpad" >/dev/null 2>&1
"$latentpad" info --weights "$work/dn.lpad" | grep -q 'noise = saltpepper:0.2' && pass || fail "train --noise metadata"
out=$work/out

run reconstruct "$latentpad" reconstruct --data "$data" --weights "$model" --n 12 --out "$out/r.png"
expect_png "$out/r.png" 926x520
[ "$(grep -c '^image ' "$work/stdout")" -eq 12 ] && between "$(number mean_mse)" 0 1 && pass || fail "reconstruct numbers"

run embed "$latentpad" embed --data "$data" --weights "$model" --out "$out/e.png" --csv "$out/e.csv"
expect_png "$out/e.png" 960x900
[ "$(head -1 "$out/e.csv")" = x,y,label ] && [ "$(wc -l <"$out/e.csv")" -eq 41 ] && pass || fail "embed csv"
awk -F, 'NR > 1 && ($1 < -1 || $1 > 1 || $2 < -1 || $2 > 1) { bad = 1 } END { exit bad }' "$out/e.csv" && pass ||
  fail "embed: codes outside [-1,1]"

run generate "$latentpad" generate --weights "$model" --grid 4 --out "$out/g.png"
expect_png "$out/g.png" 420x480
grep -q '^decoded 16 codes' "$work/stdout" && pass || fail "generate count"
run generate-codes "$latentpad" generate --weights "$model" --codes "-1.5,-1.5 1.5,1.5 10,10 -100,100" --out "$out/c.png"
expect_png "$out/c.png" 420x156

run plot-loss "$latentpad" plot-loss --log "$work/tiny.csv" --out "$out/l.png"
expect_png "$out/l.png" 900x560

run denoise "$latentpad" denoise --data "$data" --weights "$work/dn.lpad" --noise gaussian:0.3 --n 5 --out "$out/d.png"
expect_png "$out/d.png" 476x426
between "$(number psnr_noisy_db)" 0 60 && between "$(number psnr_denoised_db)" 0 60 && pass || fail "denoise psnr"

run finetune "$latentpad" finetune --data "$data" --weights "$model" --labels 20 --seeds 2 --epochs 3
grep -qE '^\| pretrained encoder \| 0\.[0-9]{4} \+- 0\.[0-9]{4} \|$' "$work/stdout" && pass || fail "finetune table"
[ "$(grep -c '^seed ' "$work/stdout")" -eq 2 ] && pass || fail "finetune seeds"

run probe "$latentpad" probe --data "$data" --weights "$model" --epochs 2
between "$(number knn_accuracy)" 0 1 && between "$(number linear_accuracy)" 0 1 && pass || fail "probe numbers"
run probe-layer "$latentpad" probe --data "$data" --weights "$model" --layer 16 --epochs 1
grep -q '16 dimensions' "$work/stdout" && pass || fail "probe --layer 16"

run anomaly "$latentpad" anomaly --data "$data" --outlier-data "$other" --weights "$model" --out "$out/a.png"
expect_png "$out/a.png" 900x560
between "$(number auroc)" 0 1 && pass || fail "anomaly auroc"
run holdout "$latentpad" anomaly --data "$data" --holdout 3 --epochs 1
between "$(number auroc)" 0 1 && pass || fail "holdout auroc"

expect_error bad-noise "--noise: unknown noise 'blur:1'" "$latentpad" denoise --data "$data" --weights "$model" --noise blur:1 --out "$out/x.png"
expect_error bad-grid "--grid must be" "$latentpad" generate --weights "$model" --grid 1 --out "$out/x.png"
expect_error bad-codes "--codes: 'x' is not a number" "$latentpad" generate --weights "$model" --codes "1,1 x,2" --out "$out/x.png"
expect_error bad-range "--range" "$latentpad" generate --weights "$model" --range 1,-1 --out "$out/x.png"
expect_error bad-log "not a latentpad training log" "$latentpad" plot-loss --log "$data/train-labels-idx1-ubyte" --out "$out/x.png"
expect_error bad-labels "--labels must be" "$latentpad" finetune --data "$data" --weights "$model" --labels 5
expect_error bad-layer "no layer of width 7" "$latentpad" probe --data "$data" --weights "$model" --layer 7
expect_error bad-holdout "--holdout must be" "$latentpad" anomaly --data "$data" --holdout 12
expect_error bad-dir "No such file or directory" "$latentpad" reconstruct --data "$data" --weights "$model" --out "$work/none/x.png"
[ ! -e "$out/x.png" ] && pass || fail "a failed command left a file"
labels "$work/badlabels" 200 && printf '\x0c' | dd of="$work/badlabels" bs=1 seek=20 conv=notrunc status=none
cp -r "$data" "$work/data2" && cp "$work/badlabels" "$work/data2/train-labels-idx1-ubyte"
expect_error label-range "classification needs labels 0..9" "$latentpad" probe --data "$work/data2" --weights "$model"

echo "analysis: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
