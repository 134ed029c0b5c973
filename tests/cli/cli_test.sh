#!/usr/bin/env bash
# End-to-end checks of the latentpad CLI on a tiny generated data set:
# the happy path writes what it promises, and every kind of bad input gets one
# clear error line and a non-zero exit.
set -euo pipefail
latentpad=${1:?usage: cli_test.sh path/to/latentpad}
work=$(mktemp -d /tmp/latentpad-cli-XXXXXX)
trap 'rm -rf "$work"' EXIT
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

data=$work/data && mkdir -p "$data"
idx_images "$data/train-images-idx3-ubyte" 300
idx_labels "$data/train-labels-idx1-ubyte" 300
idx_images "$data/t10k-images-idx3-ubyte" 50
gzip -c <"$data/t10k-images-idx3-ubyte" >"$data/t10k-images-idx3-ubyte.gz" && rm "$data/t10k-images-idx3-ubyte"
idx_labels "$data/t10k-labels-idx1-ubyte" 50
mkdir -p "$work/out"
model=$work/out/tiny.lpad
train=("$latentpad" train --data "$data" --epochs 2 --batch 32 --hidden 16,8 --threads 2 --out "$model")

# Happy path.
expect_ok help "$latentpad" --help
expect_ok train "${train[@]}"
[ "$(grep -c '^epoch' "$work/stdout")" -eq 2 ] && pass || fail "train: expected 2 epoch lines"
for f in tiny.lpad tiny.csv tiny.ckpt; do [ -s "$work/out/$f" ] && pass || fail "train: missing $f"; done
[ "$(head -1 "$work/out/tiny.csv")" = "epoch,train_loss,test_mse,lr,seconds,train_recon,train_kl" ] && pass || fail "csv header"
[ "$(wc -l <"$work/out/tiny.csv")" -eq 3 ] && pass || fail "csv rows"
expect_ok eval "$latentpad" eval --data "$data" --weights "$model"
tail -1 "$work/stdout" | grep -qE '^test_mse 0\.[0-9]{6}$' && pass || fail "eval last line: $(tail -1 "$work/stdout")"
cp "$work/stdout" "$work/eval-flat.txt"
# torchvision's download folder, as datasets.MNIST('./dataset', download=True) leaves it,
# with the dotted names Windows tools and 7-Zip give the files: the root, MNIST/ and raw/ all work.
tv=$work/dataset/MNIST/raw && mkdir -p "$tv"
for f in "$data"/*; do b=${f##*/}; cp "$f" "$tv/${b/-idx/.idx}"; done
[ -e "$tv/t10k-images.idx3-ubyte.gz" ] && [ -e "$tv/train-labels.idx1-ubyte" ] && pass || fail "setup: dotted names"
for given in dataset dataset/MNIST dataset/MNIST/raw; do
  expect_ok "torchvision-$given" "$latentpad" eval --data "$work/$given" --weights "$model"
  cmp -s "$work/stdout" "$work/eval-flat.txt" && pass || fail "torchvision-$given: eval differs from the flat folder's"
done
mkdir -p "$work/fashion-only/FashionMNIST" && cp -r "$tv" "$work/fashion-only/FashionMNIST/"
expect_error torchvision-other-only "^latentpad: error: .*/fashion-only holds FashionMNIST/ but not MNIST/; pass --dataset fashion$" \
  "$latentpad" eval --data "$work/fashion-only" --weights "$model"
expect_ok torchvision-fashion "$latentpad" eval --dataset fashion --data "$work/fashion-only" --weights "$model"
cmp -s "$work/stdout" "$work/eval-flat.txt" && pass || fail "torchvision-fashion: eval differs from the flat folder's"
expect_error torchvision-wrong-folder "FashionMNIST folder, not MNIST's; pass --dataset fashion$" \
  "$latentpad" eval --data "$work/fashion-only/FashionMNIST" --weights "$model"
mkdir -p "$work/empty"
expect_error nothing-found "^latentpad: error: missing t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte \(or t10k-images\.idx3-ubyte, t10k-labels\.idx1-ubyte; plain or \.gz\) in .*/empty, .*/empty/raw, .*/empty/MNIST/raw or .*/empty/MNIST$" \
  "$latentpad" eval --data "$work/empty" --weights "$model"
expect_error default-data-hint "there is no folder .*/nowhere/mnist; run tools/demo or tools/test once to fetch the data" \
  env LATENTPAD_DATA="$work/nowhere" "$latentpad" eval --weights "$model"
mkdir -p "$work/site"
expect_ok site-data-torchvision "$latentpad" site-data --data "$work/dataset" --weights "$model" --images 5 \
  --training mnist --out "$work/site"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  cmp -s <(gzip -dc "$work/site/train/mnist/$f.gz") <(gzip -dc -f "$data/$f"*) && pass || fail "site-data: $f.gz differs"
done
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

# Bad input: one clear line, exit 2 for a wrong invocation, 1 for a failure.
expect_usage unknown-flag "^latentpad: error: .*--bogus" "$latentpad" train --bogus --out "$work/out/x.lpad"
# The unknown option is reported even when a required one is missing too.
expect_usage unknown-before-required "^latentpad: error: .*--bogus" "$latentpad" train --bogus
expect_usage missing-out "^latentpad: error: --out is required$" "$latentpad" train --data "$data"
rc=0 && "$latentpad" >"$work/stdout" 2>"$work/stderr" || rc=$?
[ "$rc" -eq 2 ] && pass || fail "no subcommand: exit status $rc, expected 2"
grep -q '^Subcommands:' "$work/stderr" && grep -qE '^ +train ' "$work/stderr" && grep -qE '^ +anomaly ' "$work/stderr" &&
  pass || fail "no subcommand: the help text was not printed: $(head -3 "$work/stderr")"
expect_error overwrite "already exists.*--force" "${train[@]}"
expect_error out-dir "cannot write to .*/nowhere/: No such file" "$latentpad" train --data "$data" --out "$work/nowhere/x.lpad"
expect_usage epochs "--epochs must be" "$latentpad" train --data "$data" --epochs 0 --out "$work/out/x.lpad"
expect_usage lr "--lr must be" "$latentpad" train --data "$data" --lr -1 --out "$work/out/x.lpad"
expect_usage hidden "--hidden" "$latentpad" train --data "$data" --hidden 16,x --out "$work/out/x.lpad"
expect_usage dataset "dataset" "$latentpad" eval --dataset cifar
expect_error no-data "missing t10k-images-idx3-ubyte.*: there is no folder .*/nowhere$" "$latentpad" eval --data "$work/nowhere" --weights "$model"
expect_usage z-nan "--z: 'nan' is not a finite number" "$latentpad" decode --z nan,0 --weights "$model"
expect_usage z-count "--z: expected 2" "$latentpad" decode --z 1 --weights "$model"
expect_error missing-weights "No such file" "$latentpad" eval --data "$data" --weights "$work/none.lpad"
run_setup "cut the trained model to 1000 bytes" head -c 1000 "$model" >"$work/cut.lpad"
expect_error truncated-weights "truncated" "$latentpad" info --weights "$work/cut.lpad"
run_setup "copy the trained model" cp "$model" "$work/flip.lpad"
# Byte 5000 inverted (not set: it could already hold the value written).
byte=$(od -An -tu1 -j5000 -N1 "$work/flip.lpad" | tr -d ' ')
printf "\\$(printf '%03o' $((255 - byte)))" | dd of="$work/flip.lpad" bs=1 seek=5000 conv=notrunc status=none
cmp -s "$model" "$work/flip.lpad" && echo "FAIL: setup: byte 5000 of the copy did not change"
expect_error corrupt-weights "checksum" "$latentpad" eval --data "$data" --weights "$work/flip.lpad"
head -c 5000 "$data/train-images-idx3-ubyte" >"$work/out/cut-idx"
mkdir -p "$work/bad" && cp "$work/out/cut-idx" "$work/bad/train-images-idx3-ubyte" && cp "$data"/*labels* "$work/bad/"
cp "$data/t10k-images-idx3-ubyte.gz" "$work/bad/"
expect_error truncated-idx "truncated" "$latentpad" train --data "$work/bad" --out "$work/out/y.lpad"
expect_error unwritable-figure "^latentpad: error: /nonexistent-dir/x.png: No such file or directory$" \
  "$latentpad" generate --weights "$model" --out /nonexistent-dir/x.png
[ ! -e "$work/out/x.lpad" ] && [ ! -e "$work/out/y.lpad" ] && pass || fail "a failed run left an output file"
ls "$work/out" | grep -q '\.tmp\.' && fail "temporary file left behind" || pass

summary cli
