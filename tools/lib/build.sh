# shellcheck shell=bash
#
# tools/lib/build.sh -- the build steps shared by tools/test and tools/demo.
# Sourced after tools/lib/setup.sh; functions take the repository root.
#
#   lp_build_native ROOT [fresh]   native Release tree in build/release
#   lp_build_wasm ROOT [fresh]     Emscripten tree in build/wasm (demo, model module, wasm tests)
#   lp_build_site ROOT             the demo's data files next to the wasm in build/wasm/site
#
# "fresh" deletes the tree first (tools/test builds from scratch; ccache keeps
# that cheap). Ninja's per-file progress lines are dropped, errors are kept.

lp__ninja_quiet() { grep -vE '^(\[[0-9]+/[0-9]+\] |ninja: no work to do)' || true; }

lp_build_native() {
  local root=$1 fresh=${2:-}
  [[ $fresh == fresh ]] && rm -rf "$root/build/release"
  lp_log "building the native Release tree (build/release)"
  lp__quietly cmake -S "$root" --preset release -DLATENTPAD_WASM_DIR="$root/build/wasm"
  cmake --build "$root/build/release" -- -j2 | lp__ninja_quiet
  [[ ${PIPESTATUS[0]} -eq 0 ]] || lp_die "native build failed"
}

lp_build_wasm() {
  local root=$1 fresh=${2:-}
  [[ $fresh == fresh ]] && rm -rf "$root/build/wasm"
  lp_log "building the WebAssembly tree (build/wasm)"
  lp__quietly emcmake cmake -S "$root" --preset wasm
  cmake --build "$root/build/wasm" -- -j2 | lp__ninja_quiet
  [[ ${PIPESTATUS[0]} -eq 0 ]] || lp_die "wasm build failed"
}

lp_build_site() {
  local root=$1 site=$1/build/wasm/site
  "$root/build/release/tools/latentpad" site-data --weights "$root/weights/mnist.lpad" --data "$root/data/mnist" \
    --out "$site" >/dev/null
  # The Fashion-MNIST model and its test data, fetched when the page switches to it.
  mkdir -p "$site/fashion"
  "$root/build/release/tools/latentpad" site-data --dataset fashion --weights "$root/weights/fashion.lpad" \
    --data "$root/data/fashion" --out "$site/fashion" --training none >/dev/null
  # The shipped VAEs, fetched when the page switches to them (vae/, fashion/vae/).
  mkdir -p "$site/vae" "$site/fashion/vae"
  "$root/build/release/tools/latentpad" site-data --weights "$root/weights/mnist-vae.lpad" --data "$root/data/mnist" \
    --out "$site/vae" --training none >/dev/null
  "$root/build/release/tools/latentpad" site-data --dataset fashion --weights "$root/weights/fashion-vae.lpad" \
    --data "$root/data/fashion" --out "$site/fashion/vae" --training none >/dev/null
  lp_log "demo site ready in ${site#"$root"/}"
}
