# shellcheck shell=bash
#
# tools/lib/robustness.sh -- fuzzing and the sanitizer run, for tools/test.
# Sourced after tools/lib/setup.sh and tools/lib/build.sh; functions take the
# repository root. Call them as plain commands (not inside `if`/`||`).
#
#   lp_run_fuzz ROOT SECONDS   build the `fuzz` preset (clang-14, libFuzzer,
#                              ASan + UBSan) and fuzz every target in
#                              tests/fuzz/ for SECONDS each, starting from a
#                              scratch copy of its seed corpus and regressions
#   lp_run_asan ROOT           build the `asan` preset (GCC, ASan + UBSan) and
#                              run its whole ctest suite
#
# Both print a few summary lines and fail loudly (non-zero, with the details)
# on any finding. A fuzzer crash names the saved input; reproduce it with
# `build/fuzz/tests/fuzz/<target> <input>` and keep it as a regression in
# tests/fuzz/regressions/<target>/ once fixed.

LP_FUZZ_TARGETS=(fuzz_idx fuzz_model_file fuzz_code_text fuzz_import)
# libFuzzer's own limit on the fuzzing process (ASan's shadow memory counts).
LP_FUZZ_RSS_MB=2048

lp_run_fuzz() {
  local root=${1:?usage: lp_run_fuzz ROOT SECONDS} seconds=${2:?usage: lp_run_fuzz ROOT SECONDS}
  local build=$root/build/fuzz
  lp_setup_apt clang-14 libclang-rt-14-dev
  lp_log "building the fuzz targets (build/fuzz, clang-14)"
  lp__quietly cmake -S "$root" --preset fuzz
  # Quiet unless it fails: instrumented builds of Eigen code are chatty.
  (cd "$root" && lp__quietly cmake --build --preset fuzz -- -j2)

  # Everything a run writes stays under build/fuzz/run/: the corpus copy it
  # grows, its log, and any crashing input.
  local run=$build/run
  rm -rf "$run"
  local target
  for target in "${LP_FUZZ_TARGETS[@]}"; do
    local corpus=$run/$target/corpus artifacts=$run/$target/artifacts log=$run/$target/fuzz.log
    local seeds=$root/tests/fuzz/corpus/$target regressions=$root/tests/fuzz/regressions/$target
    mkdir -p "$corpus" "$artifacts"
    cp "$seeds"/* "$corpus"/
    if [[ -d $regressions ]]; then cp "$regressions"/* "$corpus"/; fi
    # The torch fixtures seed fuzz_import too: the small real ones and the
    # hostile ones (the large models would only slow every mutation down).
    if [[ $target == fuzz_import ]]; then
      find "$root/tests/fixtures/torch" -name '*.pth' -size -16k -exec cp {} "$corpus"/ \;
    fi
    local before rc=0
    before=$(find "$corpus" -type f | wc -l)
    # -timeout: one input running for 10 s is a hang, reported like a crash.
    "$build/tests/fuzz/$target" -max_total_time="$seconds" -rss_limit_mb="$LP_FUZZ_RSS_MB" -timeout=10 \
      -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1 || rc=$?
    local runs rate after
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^#[0-9]*[[:space:]]*DONE .* exec\/s: \([0-9]*\) .*/\1/p' "$log")
    after=$(find "$corpus" -type f | wc -l)
    if ((rc != 0)); then
      local inputs report
      inputs=$(find "$artifacts" -type f | sort)
      report=$(grep -E -A40 '(==[0-9]+== ?ERROR|fuzz invariant failed|runtime error:)' "$log" | head -60 || true)
      echo "fuzz: $target FAILED (exit $rc) after ${runs:-?} runs; the report:" >&2
      if [[ -n $report ]]; then echo "$report" >&2; else tail -40 "$log" >&2; fi
      echo "fuzz: crashing input: ${inputs:-none saved, see $log}" >&2
      echo "fuzz: reproduce with: build/fuzz/tests/fuzz/$target ${inputs%%$'\n'*}" >&2
      lp_die "fuzzing $target found a bug (full log: $log)"
      return 1
    fi
    printf 'fuzz: %-16s %3d s  %9d runs  %7d runs/s  corpus %d -> %d inputs, no crash\n' \
      "$target" "$seconds" "${runs:-0}" "${rate:-0}" "$before" "$after"
  done
}

lp_run_asan() {
  local root=${1:?usage: lp_run_asan ROOT}
  local log=$root/build/asan/ctest.log
  lp_log "building the ASan + UBSan tree (build/asan)"
  lp__quietly cmake -S "$root" --preset asan
  # Quiet unless it fails: GCC warns inside Eigen's AVX-512 code under ASan.
  lp__quietly cmake --build "$root/build/asan" -- -j2
  lp_log "running every native test under ASan + UBSan"
  # halt_on_error: stop at the first report, so it cannot scroll away.
  local rc=0
  (cd "$root" && ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    ctest --preset asan -j2) >"$log" 2>&1 || rc=$?
  if ((rc != 0)); then
    cat "$log" >&2
    lp_die "tests failed under ASan + UBSan (log: $log)"
    return 1
  fi
  echo "asan: $(grep -E 'tests passed' "$log")"
}
