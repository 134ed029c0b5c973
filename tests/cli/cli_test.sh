#!/usr/bin/env bash
# End-to-end checks of the latentpad CLI on a tiny generated data set:
# the happy path writes what it promises, and every kind of bad input gets one
# clear error line and a non-zero exit.
set -euo pipefail
latentpad=${1:?usage: cli_test.sh path/to/latentpad}
work=$(mktemp -d /tmp/latentpad-cli-XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# expect_ok NAME CMD...: exit 0.   expect_error NAME PATTERN CMD...: non-zero exit,
# a single line on stderr matching PATTERN, nothing left behind in $work/out.
expect_ok() {
  local name=$1; shift
  if "$@" >"$work/stdout" 2>"$work/stderr"; then pass; else fail "$name: exit $?: $(cat "$work/stderr")"; fi
}
expect_error() {
  local name=$1 pattern=$2; shift 2
  local rc=0
  "$@" >"$work/stdout" 2>"$work/stderr" || rc=$?
  if [ "$rc" -eq 0 ]; then fail "$name: succeeded"; return; fi
  if ! grep -qE -e "$pattern" "$work/stderr"; then fail "$name: stderr lacks /$pattern/: $(cat "$work/stderr")"; return; fi
  if [ "$(grep -c . "$work/stderr")" -gt 2 ]; then fail "$name: more than one error line"; return; fi
  pass
}

# idx FILE N ROWS COLS: an unsigned-byte IDX file of random content.
idx() {
  local file=$1 n=$2 rows=${3:-} cols=${4:-}
  be32() { printf "\\x$(printf %02x $(($1 >> 24 & 255)))\\x$(printf %02x $(($1 >> 16 & 255)))\\x$(printf %02x $(($1 >> 8 & 255)))\\x$(printf %02x $(($1 & 255)))"; }
  if [ -n "$rows" ]; then
    { printf '\x00\x00\x08\x03'; be32 "$n"; be32 "$rows"; be32 "$cols"; head -c $((n * rows * cols)) /dev/urandom; } >"$file"
  else
    { printf '\x00\x00\x08\x01'; be32 "$n"; head -c "$n" /dev/urandom; } >"$file"
  fi
}

data=$work/data && mkdir -p "$data"
idx "$data/train-images-idx3-ubyte" 300 28 28
idx "$data/train-labels-idx1-ubyte" 300
idx "$data/t10k-images-idx3-ubyte" 50 28 28
gzip -c <"$data/t10k-images-idx3-ubyte" >"$data/t10k-images-idx3-ubyte.gz" && rm "$data/t10k-images-idx3-ubyte"
idx "$data/t10k-labels-idx1-ubyte" 50
mkdir -p "$work/out"
model=$work/out/tiny.lpad
train=("$latentpad" train --data "$data" --epochs 2 --batch 32 --hidden 16,8 --threads 2 --out "$model")

# Happy path.
expect_ok help "$latentpad" --help
expect_ok train "${train[@]}"
[ "$(grep -c '^epoch' "$work/stdout")" -eq 2 ] && pass || fail "train: expected 2 epoch lines"
for f in tiny.lpad tiny.csv tiny.ckpt; do [ -s "$work/out/$f" ] && pass || fail "train: missing $f"; done
[ "$(head -1 "$work/out/tiny.csv")" = "epoch,train_loss,test_mse,lr,seconds" ] && pass || fail "csv header"
[ "$(wc -l <"$work/out/tiny.csv")" -eq 3 ] && pass || fail "csv rows"
expect_ok eval "$latentpad" eval --data "$data" --weights "$model"
tail -1 "$work/stdout" | grep -qE '^test_mse 0\.[0-9]{6}$' && pass || fail "eval last line: $(tail -1 "$work/stdout")"
expect_ok info "$latentpad" info --weights "$model"
grep -q 'encoder  784 -> 16 tanh -> 8 tanh -> 2 tanh' "$work/stdout" && pass || fail "info architecture"
grep -q 'meta     epochs_done = 2' "$work/stdout" && pass || fail "info metadata"
expect_ok decode "$latentpad" decode --z 0.5,-0.5 --weights "$model"
[ "$(wc -l <"$work/stdout")" -eq 28 ] && [ "$(awk '{print NF}' "$work/stdout" | sort -u)" = 28 ] && pass ||
  fail "decode: expected 28x28 values"
awk '{for (i = 1; i <= NF; i++) if ($i < 0 || $i > 1) exit 1}' "$work/stdout" && pass || fail "decode: values outside [0,1]"
expect_ok resume "$latentpad" train --data "$data" --epochs 3 --batch 32 --hidden 16,8 --out "$model" \
  --resume "$work/out/tiny.ckpt"
[ "$(grep -c '^epoch' "$work/stdout")" -eq 1 ] && pass || fail "resume: expected exactly one more epoch"

# Bad input: one clear line, non-zero exit.
expect_error unknown-flag "not expected: --bogus" "$latentpad" train --bogus --out "$work/out/x.lpad"
expect_error no-command "subcommand" "$latentpad"
expect_error overwrite "already exists.*--force" "${train[@]}"
expect_error epochs "--epochs must be" "$latentpad" train --data "$data" --epochs 0 --out "$work/out/x.lpad"
expect_error lr "--lr must be" "$latentpad" train --data "$data" --lr -1 --out "$work/out/x.lpad"
expect_error hidden "--hidden" "$latentpad" train --data "$data" --hidden 16,x --out "$work/out/x.lpad"
expect_error dataset "dataset" "$latentpad" eval --dataset cifar
expect_error no-data "missing .*t10k-images-idx3-ubyte" "$latentpad" eval --data "$work/nowhere" --weights "$model"
expect_error z-nan "--z: 'nan' is not a finite number" "$latentpad" decode --z nan,0 --weights "$model"
expect_error z-count "--z: expected 2" "$latentpad" decode --z 1 --weights "$model"
expect_error missing-weights "No such file" "$latentpad" eval --data "$data" --weights "$work/none.lpad"
head -c 1000 "$model" >"$work/cut.lpad"
expect_error truncated-weights "truncated" "$latentpad" info --weights "$work/cut.lpad"
cp "$model" "$work/flip.lpad" && printf '\xff' | dd of="$work/flip.lpad" bs=1 seek=5000 conv=notrunc status=none
expect_error corrupt-weights "checksum" "$latentpad" eval --data "$data" --weights "$work/flip.lpad"
head -c 5000 "$data/train-images-idx3-ubyte" >"$work/out/cut-idx"
mkdir -p "$work/bad" && cp "$work/out/cut-idx" "$work/bad/train-images-idx3-ubyte" && cp "$data"/*labels* "$work/bad/"
cp "$data/t10k-images-idx3-ubyte.gz" "$work/bad/"
expect_error truncated-idx "truncated" "$latentpad" train --data "$work/bad" --out "$work/out/y.lpad"
[ ! -e "$work/out/x.lpad" ] && [ ! -e "$work/out/y.lpad" ] && pass || fail "a failed run left an output file"
ls "$work/out" | grep -q '\.tmp\.' && fail "temporary file left behind" || pass

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
