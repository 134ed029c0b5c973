# shellcheck shell=bash
# Shared helpers of the CLI test scripts (sourced after `work` is set).
#   pass / fail MESSAGE           count results; `summary NAME` prints "NAME: N passed, N failed"
#   expect_ok NAME CMD...         CMD exits 0 (its output is in $work/stdout, $work/stderr)
#   expect_error NAME PATTERN CMD...
#                                 CMD fails while working (exit 1) with one error line matching PATTERN
#   expect_usage NAME PATTERN CMD...
#                                 CMD is a wrong invocation (exit 2) with one error line matching PATTERN
#   idx_images FILE N             N random 28x28 images as unsigned-byte IDX
#   idx_labels FILE N             N labels 0, 1, ..., 9, 0, ... as unsigned-byte IDX
passed=0 failed=0

pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

summary() {
  echo "$1: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

expect_ok() {
  local name=$1
  shift
  if "$@" >"$work/stdout" 2>"$work/stderr"; then pass; else fail "$name: exit $?: $(cat "$work/stderr")"; fi
}

# expect_status STATUS NAME PATTERN CMD...
expect_status() {
  local status=$1 name=$2 pattern=$3 rc=0
  shift 3
  "$@" >"$work/stdout" 2>"$work/stderr" || rc=$?
  if [ "$rc" -eq 0 ]; then fail "$name: succeeded"; return; fi
  if [ "$rc" -ne "$status" ]; then fail "$name: exit status $rc, expected $status: $(cat "$work/stderr")"; return; fi
  if ! grep -qE -e "$pattern" "$work/stderr"; then fail "$name: stderr lacks /$pattern/: $(cat "$work/stderr")"; return; fi
  # CLI11 adds a "Run with --help" hint under its own parse errors: allow two lines.
  if [ "$(grep -c . "$work/stderr")" -gt 2 ]; then fail "$name: more than one error line"; return; fi
  pass
}

expect_error() { expect_status 1 "$@"; }
expect_usage() { expect_status 2 "$@"; }

be32() {
  printf "\\x$(printf %02x $(($1 >> 24 & 255)))\\x$(printf %02x $(($1 >> 16 & 255)))"
  printf "\\x$(printf %02x $(($1 >> 8 & 255)))\\x$(printf %02x $(($1 & 255)))"
}

idx_images() {
  { printf '\x00\x00\x08\x03'; be32 "$2"; be32 28; be32 28; head -c $(($2 * 784)) /dev/urandom; } >"$1"
}

idx_labels() {
  local i
  { printf '\x00\x00\x08\x01'; be32 "$2"; for ((i = 0; i < $2; i++)); do printf "\\x0$((i % 10))"; done; } >"$1"
}
