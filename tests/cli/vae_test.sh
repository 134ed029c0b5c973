#!/usr/bin/env bash
# The variational autoencoder through the CLI on a tiny generated data set:
# train --model vae writes a VAE that every command reads (info names its kind,
# encode gives mu and, with --logvar, the log-variances, eval its loss per
# image and KL, generate --prior decodes draws from N(0, I)), and each kind of
# bad input gets one clear error line and exit 2.
set -euo pipefail
latentpad=${1:?usage: vae_test.sh path/to/latentpad}
work=$(mktemp -d /tmp/latentpad-vae-XXXXXX)
trap 'rm -rf "$work"' EXIT
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

data=$work/data && mkdir -p "$data" "$work/out"
idx_images "$data/train-images-idx3-ubyte" 300
idx_labels "$data/train-labels-idx1-ubyte" 300
idx_images "$data/t10k-images-idx3-ubyte" 40
idx_labels "$data/t10k-labels-idx1-ubyte" 40
vae=$work/out/vae.lpad
train=("$latentpad" train --data "$data" --model vae --epochs 2 --batch 32 --hidden 24 --latent 3 --activation relu
  --loss bce --beta 0.5 --threads 2)

expect_ok train "${train[@]}" --out "$vae"
grep -q 'training a variational autoencoder 784,24,3 relu (mu and logvar heads), bce + 0.5 KL' "$work/stderr" && pass ||
  fail "train: first line: $(head -1 "$work/stderr")"
grep -qE '^epoch  2/2  train_loss [0-9.]+ \(recon [0-9.]+, kl [0-9.]+\)  test_mse 0\.[0-9]{5}' "$work/stdout" && pass ||
  fail "train: epoch line: $(tail -2 "$work/stdout")"
# The log's terms add up: train_loss = train_recon + 0.5 train_kl on every row.
awk -F, 'NR > 1 { d = $2 - ($6 + 0.5 * $7); if (d > 1e-4 || d < -1e-4 || $7 <= 0) bad = 1 } END { exit bad }' \
  "$work/out/vae.csv" && pass || fail "csv: train_loss is not recon + beta kl: $(cat "$work/out/vae.csv")"

expect_ok info "$latentpad" info --weights "$vae"
grep -q '^kind     variational autoencoder$' "$work/stdout" && pass || fail "info kind: $(grep kind "$work/stdout")"
grep -q '^encoder  784 -> 24 relu -> 6 identity' "$work/stdout" && pass || fail "info encoder: $(grep encoder "$work/stdout")"
grep -q '^decoder  3 -> 24 relu -> 784 sigmoid' "$work/stdout" && pass || fail "info decoder"
grep -q '^meta     loss = bce$' "$work/stdout" && grep -q '^meta     beta = 0.5$' "$work/stdout" && pass ||
  fail "info: the loss and beta are not in the metadata"

expect_ok eval "$latentpad" eval --data "$data" --weights "$vae"
grep -qE '^test_loss_per_image [0-9]+\.[0-9]{4}$' "$work/stdout" && grep -qE '^test_kl_per_image [0-9]+\.[0-9]{4}$' \
  "$work/stdout" && pass || fail "eval: VAE lines: $(cat "$work/stdout")"
tail -1 "$work/stdout" | grep -qE '^test_mse 0\.[0-9]{6}$' && pass || fail "eval: last line $(tail -1 "$work/stdout")"
# z is sampled for the loss, mu for the MSE: another seed moves the first only.
run_setup "eval with seed 1" "$latentpad" eval --data "$data" --weights "$vae" --seed 1 >"$work/eval1"
[ "$(grep test_mse "$work/stdout")" = "$(grep test_mse "$work/eval1")" ] && pass || fail "eval: test_mse depends on the seed"
[ "$(grep test_loss_per_image "$work/stdout")" != "$(grep test_loss_per_image "$work/eval1")" ] && pass ||
  fail "eval: the loss does not sample z"

expect_ok encode "$latentpad" encode --data "$data" --weights "$vae" --count 5
[ "$(head -1 "$work/stdout")" = "index,label,z0,z1,z2" ] && pass || fail "encode header: $(head -1 "$work/stdout")"
cp "$work/stdout" "$work/mu.csv"
expect_ok encode-logvar "$latentpad" encode --data "$data" --weights "$vae" --count 5 --logvar
[ "$(head -1 "$work/stdout")" = "index,label,z0,z1,z2,logvar0,logvar1,logvar2" ] && pass ||
  fail "encode --logvar header: $(head -1 "$work/stdout")"
# The mu columns are the same with and without --logvar.
cmp -s <(cut -d, -f1-5 "$work/stdout") "$work/mu.csv" && pass || fail "encode --logvar changed mu"
[ "$(awk -F, 'NR > 1 { print NF }' "$work/stdout" | sort -u)" = 8 ] && pass || fail "encode --logvar: column count"

expect_ok decode "$latentpad" decode --z 0.1,-0.2,0.3 --weights "$vae"
[ "$(wc -l <"$work/stdout")" -eq 28 ] && pass || fail "decode: expected 28 rows"
expect_ok prior "$latentpad" generate --weights "$vae" --prior 12 --out "$work/out/prior.png"
[ -s "$work/out/prior.png" ] && grep -q '^decoded 12 codes$' "$work/stdout" && pass || fail "generate --prior"
expect_ok prior-ae "$latentpad" train --data "$data" --epochs 1 --hidden 16 --out "$work/out/ae.lpad"
expect_ok prior-of-an-autoencoder "$latentpad" generate --weights "$work/out/ae.lpad" --prior 4 --out "$work/out/p.png"

# Every analysis reads a 2-D VAE through mu; a denoising VAE trains and denoises.
vae2=$work/out/vae2.lpad
expect_ok train-2d "$latentpad" train --data "$data" --model vae --epochs 1 --batch 50 --hidden 16 --out "$vae2"
out=$work/fig && mkdir -p "$out"
expect_ok reconstruct "$latentpad" reconstruct --data "$data" --weights "$vae2" --n 6 --out "$out/r.png"
expect_ok embed "$latentpad" embed --data "$data" --weights "$vae2" --out "$out/e.png" --csv "$out/e.csv"
run_setup "encode the 2-D VAE" "$latentpad" encode --data "$data" --weights "$vae2" >"$out/codes.csv"
# embed's CSV holds the codes encode prints: mu, to the printed digits.
paste -d, <(tail -n +2 "$out/e.csv" | cut -d, -f1,2) <(tail -n +2 "$out/codes.csv" | cut -d, -f3,4) |
  awk -F, '{ if (($1 - $3) > 1e-5 || ($3 - $1) > 1e-5 || ($2 - $4) > 1e-5 || ($4 - $2) > 1e-5) bad = 1 } END { exit bad }' &&
  pass || fail "embed's codes are not encode's mu"
expect_ok grid "$latentpad" generate --weights "$vae2" --grid 3 --out "$out/g.png"
expect_ok interpolate "$latentpad" interpolate --data "$data" --weights "$vae2" --from test:0 --to test:1 --steps 4 --out "$out/i.png"
expect_ok probe "$latentpad" probe --data "$data" --weights "$vae2" --epochs 1
grep -q '^features: code layer, 2 dimensions' "$work/stdout" && pass || fail "probe: the VAE's code is not its 2-D mu"
expect_ok finetune "$latentpad" finetune --data "$data" --weights "$vae2" --labels 20 --seeds 1 --epochs 2
expect_ok anomaly "$latentpad" anomaly --data "$data" --outlier-data "$data" --weights "$vae2" --out "$out/a.png"
expect_ok train-denoising "$latentpad" train --data "$data" --model vae --epochs 1 --batch 50 --hidden 16 --latent 4 \
  --noise gaussian:0.3 --out "$out/dn.lpad"
expect_ok denoise "$latentpad" denoise --data "$data" --weights "$out/dn.lpad" --noise gaussian:0.3 --n 4 --out "$out/d.png"
for f in r e g i a d; do [ -s "$out/$f.png" ] && pass || fail "no figure $f.png"; done

# Bad input.
bad=("$latentpad" train --data "$data" --out "$work/out/bad.lpad")
expect_usage beta-negative "^latentpad: error: --beta must be a finite number >= 0$" "${bad[@]}" --model vae --beta -1
expect_usage beta-nan "--beta must be a finite number >= 0" "${bad[@]}" --model vae --beta nan
expect_usage eval-beta "^latentpad: error: --beta: must be a finite number >= 0$" \
  "$latentpad" eval --data "$data" --weights "$vae" --beta -1
expect_usage latent-zero "^latentpad: error: --latent must be between 1 and 256$" "${bad[@]}" --latent 0
expect_usage latent-wide "--latent must be between 1 and 256" "${bad[@]}" --model vae --latent 257
expect_usage model "--model must be ae or vae" "${bad[@]}" --model gan
expect_usage loss "--loss must be mse or bce" "${bad[@]}" --loss l1
expect_usage activation "--activation must be tanh or relu" "${bad[@]}" --activation sigmoid
expect_usage logvar-of-an-autoencoder "--logvar needs a variational autoencoder" \
  "$latentpad" encode --data "$data" --weights "$work/out/ae.lpad" --logvar
expect_error grid-of-a-3d-code "a grid needs a 2-D code; this decoder takes 3" \
  "$latentpad" generate --weights "$vae" --out "$work/out/g.png"
expect_usage two-modes "choose one of --grid/--range, --codes and --prior" \
  "$latentpad" generate --weights "$vae" --prior 3 --codes 0,0,0 --out "$work/out/g.png"
expect_usage prior-count "--prior must be between 1 and 400" "$latentpad" generate --weights "$vae" --prior 0 --out "$work/out/g.png"
[ ! -e "$work/out/bad.lpad" ] && [ ! -e "$work/out/g.png" ] && pass || fail "a refused command wrote a file"

summary cli_vae
