#!/usr/bin/env bash
# Training survives being stopped:
# - kill -9 during epoch 3, then --resume from the checkpoint to epoch 4, ends
#   with exactly the weights, Adam moments, RNG state and losses of an
#   uninterrupted 4-epoch run (same seed and --threads);
# - Ctrl-C (SIGINT) exits with 130 and names a checkpoint that loads and
#   resumes to the same exact result;
# - --resume takes the run's settings from the checkpoint: a resumed run of a
#   non-default architecture, given no flags, is that architecture, and a flag
#   that contradicts the checkpoint is refused, naming it;
# - a divergent run (--lr 1e38) stops with one error line naming the epoch and
#   batch, exit 1, and leaves no output file behind.
# The signals are raised by the trainer itself after an exact batch
# (LATENTPAD_TEST_SIGNAL, a test-only hook in cmd_train.cpp), so nothing here
# races the clock.
set -euo pipefail
latentpad=${1:?usage: resume_test.sh path/to/latentpad [TRAINING_IMAGES]}
images=${2:-2000}
work=$(mktemp -d /tmp/latentpad-resume-XXXXXX)
trap 'rm -rf "$work"' EXIT
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
check() { local what=$1; shift; if "$@"; then pass; else fail "$what"; fi; }

# section FILE TAG OUT: writes the payload of one section of a model file to OUT
# (layout in src/model_file.h: a 20-byte header, then per section a 4-byte tag,
# u32 reserved, u64 little-endian length and the payload).
section() {
  local file=$1 tag=$2 out=$3 offset=20 count i t len
  count=$(od -An -tu4 --endian=little -j16 -N4 "$file" | tr -d ' ')
  for ((i = 0; i < count; i++)); do
    t=$(dd if="$file" bs=1 skip="$offset" count=4 status=none)
    len=$(od -An -tu8 --endian=little -j$((offset + 8)) -N8 "$file" | tr -d ' ')
    if [ "$t" = "$tag" ]; then
      tail -c +$((offset + 17)) "$file" | head -c "$len" >"$out"
      return 0
    fi
    offset=$((offset + 16 + len))
  done
  echo "$file has no $tag section" >&2
  return 1
}

# same_sections NAME FILE1 FILE2 TAG...: each section's payload is byte-identical
# (and not empty, so a broken extraction cannot pass).
same_sections() {
  local name=$1 a=$2 b=$3 tag
  shift 3
  for tag in "$@"; do
    if section "$a" "$tag" "$work/sa" && section "$b" "$tag" "$work/sb" && [ -s "$work/sa" ] &&
      cmp -s "$work/sa" "$work/sb"; then
      pass
    else
      fail "$name: $tag sections differ ($(cmp "$work/sa" "$work/sb" 2>&1 | head -1))"
    fi
  done
}

# The CSV without the seconds column: epoch, train loss, test MSE, rate.
csv_losses() { cut -d, -f1-4 "$1"; }
csv_rows() { if [ -f "$1" ]; then echo $(($(wc -l <"$1") - 1)); else echo 0; fi; }

no_leftovers() { ! ls "$1" | grep -q '\.tmp\.'; }

data=$work/data && mkdir -p "$data" "$work/logs"
idx_images "$data/train-images-idx3-ubyte" "$images"
idx_labels "$data/train-labels-idx1-ubyte" "$images"
idx_images "$data/t10k-images-idx3-ubyte" 100
idx_labels "$data/t10k-labels-idx1-ubyte" 100
run=("$latentpad" train --data "$data" --epochs 4 --threads 2 --seed 11)

# 1. The reference: 4 epochs straight.
mkdir -p "$work/a"
if "${run[@]}" --out "$work/a/m.lpad" >"$work/logs/a.out" 2>"$work/logs/a.err"; then pass; else
  fail "straight run: $(cat "$work/logs/a.err")"
fi

# 2. kill -9 after batch 5 of epoch 3, then resume.
mkdir -p "$work/b"
rc=0
LATENTPAD_TEST_SIGNAL=3:5:KILL "${run[@]}" --out "$work/b/m.lpad" >"$work/logs/b.out" 2>"$work/logs/b.err" || rc=$?
check "kill -9: exit status $rc, not 137" [ "$rc" -eq 137 ]
check "kill -9: expected 2 logged epochs, found $(csv_rows "$work/b/m.csv")" [ "$(csv_rows "$work/b/m.csv")" -eq 2 ]
check "kill -9: a final weights file exists" [ ! -e "$work/b/m.lpad" ]
"$latentpad" info --weights "$work/b/m.ckpt" >"$work/logs/b.info" 2>&1 || true
check "kill -9: checkpoint is not epoch 2: $(cat "$work/logs/b.info")" grep -q 'epochs_done = 2$' "$work/logs/b.info"
if "${run[@]}" --out "$work/b/m.lpad" --resume "$work/b/m.ckpt" >"$work/logs/b2.out" 2>"$work/logs/b2.err"; then
  pass
else
  fail "resume after kill -9: $(cat "$work/logs/b2.err")"
fi
check "resume: no 'resuming ... after epoch 2' line" grep -q "resuming from .*m.ckpt after epoch 2" "$work/logs/b2.err"
check "resume: expected the lines of epochs 3 and 4" [ "$(grep -c '^epoch  *[34]/4' "$work/logs/b2.out")" -eq 2 ]
same_sections "kill -9 + resume, final weights" "$work/a/m.lpad" "$work/b/m.lpad" ARCH PARM
same_sections "kill -9 + resume, last checkpoint" "$work/a/m.ckpt" "$work/b/m.ckpt" PARM OPTM
check "kill -9 + resume: CSV losses differ" cmp -s <(csv_losses "$work/a/m.csv") <(csv_losses "$work/b/m.csv")
# The extraction compares the real thing: PARM holds every float32 parameter.
params=$(sed -n 's/^params *//p' "$work/logs/b.info")
if section "$work/a/m.lpad" PARM "$work/sa"; then
  check "PARM is not ${params:-?} floats" [ "$(wc -c <"$work/sa")" -eq $((4 * params)) ]
else
  fail "PARM size: no PARM section to measure in $work/a/m.lpad"
fi

# 3. Ctrl-C after batch 3 of epoch 2: exit 130, a message naming the
#    checkpoint of the last finished epoch, and a checkpoint that loads and
#    resumes exactly.
mkdir -p "$work/c"
rc=0
LATENTPAD_TEST_SIGNAL=2:3:INT "${run[@]}" --out "$work/c/m.lpad" >"$work/logs/c.out" 2>"$work/logs/c.err" || rc=$?
done_epochs=$(csv_rows "$work/c/m.csv")
check "SIGINT: exit status $rc, not 130" [ "$rc" -eq 130 ]
check "SIGINT: expected 1 logged epoch, found $done_epochs" [ "$done_epochs" -eq 1 ]
check "SIGINT: message does not name the checkpoint: $(cat "$work/logs/c.err")" \
  grep -q "interrupted during epoch $((done_epochs + 1)); .*$work/c/m.ckpt (continue with --resume $work/c/m.ckpt)" \
  "$work/logs/c.err"
check "SIGINT: a final weights file exists" [ ! -e "$work/c/m.lpad" ]
check "SIGINT: temporary file left behind" no_leftovers "$work/c"
if "$latentpad" info --weights "$work/c/m.ckpt" >"$work/logs/c.info" 2>&1; then pass; else
  fail "SIGINT: checkpoint does not load: $(cat "$work/logs/c.info")"
fi
check "SIGINT: checkpoint is not epoch $done_epochs" grep -q "epochs_done = $done_epochs\$" "$work/logs/c.info"
if "${run[@]}" --out "$work/c/m.lpad" --resume "$work/c/m.ckpt" >"$work/logs/c2.out" 2>"$work/logs/c2.err"; then
  pass
else
  fail "resume after SIGINT: $(cat "$work/logs/c2.err")"
fi
same_sections "SIGINT + resume, final weights" "$work/a/m.lpad" "$work/c/m.lpad" PARM
same_sections "SIGINT + resume, last checkpoint" "$work/a/m.ckpt" "$work/c/m.ckpt" PARM OPTM

# 4. The checkpoint carries the run's settings. A non-default architecture and
#    schedule, resumed with no flags but --out and --resume, stays that run:
#    the result is the one of an uninterrupted run.
small=("$latentpad" train --data "$data" --epochs 2 --threads 1 --seed 5 --hidden 32 --latent 3 --batch 50 --lr 0.002)
mkdir -p "$work/e"
expect_ok "small straight run" "${small[@]}" --out "$work/e/a.lpad"
rc=0
LATENTPAD_TEST_SIGNAL=2:2:KILL "${small[@]}" --out "$work/e/b.lpad" >/dev/null 2>&1 || rc=$?
check "small run: kill -9 exit status $rc, not 137" [ "$rc" -eq 137 ]
expect_ok "resume with no flags" "$latentpad" train --data "$data" --out "$work/e/b.lpad" --resume "$work/e/b.ckpt"
same_sections "resume with no flags, final weights" "$work/e/a.lpad" "$work/e/b.lpad" ARCH PARM
"$latentpad" info --weights "$work/e/b.lpad" >"$work/logs/e.info" 2>&1 || true
check "resumed model's metadata: $(grep -E '^meta +(hidden|latent|batch|lr) ' "$work/logs/e.info" | tr '\n' ' ')" \
  grep -qE '^meta +hidden = 32$' "$work/logs/e.info"
check "resumed model's batch is not 50" grep -qE '^meta +batch = 50$' "$work/logs/e.info"
#    Flags that contradict the checkpoint are refused, each one named; flags
#    that agree with it are fine.
expect_usage "conflicting flags" "--lr 0.01 \(checkpoint: 0.002\).*--threads 2 \(checkpoint: 1\)" \
  "$latentpad" train --data "$data" --out "$work/e/c.lpad" --resume "$work/e/b.ckpt" --lr 0.01 --threads 2
check "conflicting flags: a file was written" [ ! -e "$work/e/c.lpad" ]
expect_usage "conflicting architecture" "--hidden 256,128,64 \(checkpoint: 32\)" \
  "$latentpad" train --data "$data" --out "$work/e/c.lpad" --resume "$work/e/b.ckpt" --hidden 256,128,64
expect_ok "agreeing flags" "$latentpad" train --data "$data" --out "$work/e/c.lpad" --resume "$work/e/b.ckpt" \
  --lr 0.002 --batch 50 --seed 5 --epochs 3

# 5. Divergence. A learning rate of 1e38 overflows the first update: the
#    next batch's loss is infinite or NaN. One of 100 keeps the loss finite but
#    saturates every output, so epoch 1's mean loss ends above the untrained
#    model's. Either way: one error line saying so and naming the learning
#    rate with a lower one to try, exit 1, and no file left behind.
#    After a good epoch, the checkpoint of that epoch is kept and named, and no
#    final model is written.
mkdir -p "$work/d" "$work/f"
expect_error "overflow" \
  "^latentpad: error: training diverged: the loss became (NaN|infinite) at epoch 1, batch [0-9]+ at learning rate 1e\+38; try a lower --lr, such as 1e\+37; no checkpoint was written$" \
  "$latentpad" train --data "$data" --epochs 2 --threads 2 --lr 1e38 --out "$work/d/m.lpad"
expect_error "saturation" \
  "^latentpad: error: training diverged: epoch 1's mean loss 0\.[0-9]+ is above the untrained model's 0\.[0-9]+ at learning rate 100; try a lower --lr, such as 10; no checkpoint was written$" \
  "$latentpad" train --data "$data" --epochs 2 --threads 2 --lr 100 --out "$work/d/m.lpad"
check "divergence: files left behind: $(ls "$work/d")" [ -z "$(ls "$work/d")" ]
#    --milestones 1 --gamma 1e5 turns a good epoch 1 at 1e-3 into 100 in epoch 2.
expect_error "divergence after a good epoch" \
  "epoch 2's mean loss .* at learning rate 100; try a lower --lr, such as 10; the last good checkpoint is kept at $work/f/m.ckpt$" \
  "$latentpad" train --data "$data" --epochs 2 --threads 2 --milestones 1 --gamma 100000 --out "$work/f/m.lpad"
check "divergence after a good epoch: a final model was written" [ ! -e "$work/f/m.lpad" ]
"$latentpad" info --weights "$work/f/m.ckpt" >"$work/logs/f.info" 2>&1 || true
check "divergence after a good epoch: the checkpoint is not epoch 1" grep -qE '^meta +epochs_done = 1$' "$work/logs/f.info"

# 6. The variational autoencoder resumes exactly too: its eps are drawn from
#    the run's RNG, which the checkpoint carries. A checkpoint of one kind
#    cannot continue as the other, and a VAE whose log-variance overflows
#    (exp(logvar) = inf) is stopped by the divergence rule, not saved.
vae=("$latentpad" train --data "$data" --model vae --epochs 3 --threads 2 --seed 3 --hidden 32 --latent 4 --loss bce)
mkdir -p "$work/v"
expect_ok "VAE straight run" "${vae[@]}" --out "$work/v/a.lpad"
rc=0
LATENTPAD_TEST_SIGNAL=2:4:KILL "${vae[@]}" --out "$work/v/b.lpad" >/dev/null 2>&1 || rc=$?
check "VAE: kill -9 exit status $rc, not 137" [ "$rc" -eq 137 ]
expect_ok "VAE resume with no flags" "$latentpad" train --data "$data" --out "$work/v/b.lpad" --resume "$work/v/b.ckpt"
same_sections "VAE kill -9 + resume, final weights" "$work/v/a.lpad" "$work/v/b.lpad" KIND ARCH PARM
same_sections "VAE kill -9 + resume, last checkpoint" "$work/v/a.ckpt" "$work/v/b.ckpt" PARM OPTM
check "VAE kill -9 + resume: CSV losses differ" cmp -s <(csv_losses "$work/v/a.csv") <(csv_losses "$work/v/b.csv")
expect_usage "--model vae on an autoencoder's checkpoint" \
  "^latentpad: error: .*/e/b.ckpt is a checkpoint of an autoencoder; --model vae cannot continue it" \
  "$latentpad" train --data "$data" --out "$work/v/c.lpad" --resume "$work/e/b.ckpt" --model vae
expect_usage "--model ae on a VAE's checkpoint" "is a checkpoint of a variational autoencoder; --model ae cannot" \
  "$latentpad" train --data "$data" --out "$work/v/c.lpad" --resume "$work/v/b.ckpt" --model ae
expect_usage "--beta against a VAE's checkpoint" "--beta 2 \(checkpoint: 1\)" \
  "$latentpad" train --data "$data" --out "$work/v/c.lpad" --resume "$work/v/b.ckpt" --beta 2
check "refused resumes wrote a file" [ ! -e "$work/v/c.lpad" ]
mkdir -p "$work/w"
expect_error "VAE overflow" \
  "^latentpad: error: training diverged: the loss became (NaN|infinite) at epoch 1, batch [0-9]+ at learning rate 1e\+38; try a lower --lr, such as 1e\+37; no checkpoint was written$" \
  "$latentpad" train --data "$data" --model vae --epochs 2 --lr 1e38 --out "$work/w/m.lpad"
check "VAE divergence: files left behind: $(ls "$work/w")" [ -z "$(ls "$work/w")" ]

summary cli_resume
