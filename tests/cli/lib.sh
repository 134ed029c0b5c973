# shellcheck shell=bash
# Shared helpers of the CLI test scripts (sourced after `work` is set).
#   pass / fail MESSAGE           count results; `summary NAME` prints "NAME: N passed, N failed"
#   expect_ok NAME CMD...         CMD exits 0 (its output is in $work/stdout, $work/stderr)
#   expect_error NAME PATTERN CMD...
#                                 CMD fails while working (exit 1) with one error line matching PATTERN
#   expect_usage NAME PATTERN CMD...
#                                 CMD is a wrong invocation (exit 2) with one error line matching PATTERN
#   run_setup WHAT CMD...         a step the checks after it need, not a check itself: CMD exits 0, or
#                                 "FAIL: setup: WHAT ..." with CMD's stderr, and the script stops (exit 1).
#                                 CMD's stdout is the caller's (run_setup WHAT CMD... >FILE); not for
#                                 pipelines or $(...), where the stop would end only a subshell
#   idx_images FILE N             N random 28x28 images as unsigned-byte IDX
#   idx_labels FILE N             N labels 0, 1, ..., 9, 0, ... as unsigned-byte IDX
# The scripts run under `set -e`: any other command that fails outside a check
# (an if, && or ||) stops the script too, and the ERR trap below says which.
passed=0 failed=0

pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# The script's own stdout, for reports from inside a step whose stdout is redirected.
exec {lib_stdout}>&1

# setup_failed WHAT DETAIL: a setup step failed; report it and stop.
setup_failed() {
  fail "setup: $1 failed, so the checks after it cannot run: $2" >&"$lib_stdout"
  exit 1
}

run_setup() {
  local what=$1 rc=0
  shift
  "$@" 2>"$work/setup.err" || rc=$?
  [ "$rc" -eq 0 ] || setup_failed "$what" "exit $rc: $(cat "$work/setup.err" 2>/dev/null)"
}

# Any other command that stops the script (set -e) at its top level: name it and
# its line. (Not inherited by functions: they use run_setup or setup_failed.)
# The final `summary` returns 1 when a check failed: that is the verdict, not a failed step.
unchecked_failure() {
  local rc=$1 line=$2 command=$3
  case $command in summary | summary\ *) return ;; esac
  fail "${BASH_SOURCE[1]##*/}:$line: \`$command\` exited $rc, so the checks after it cannot run" >&"$lib_stdout"
}
trap 'unchecked_failure $? $LINENO "$BASH_COMMAND"' ERR

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
  { printf '\x00\x00\x08\x03'; be32 "$2"; be32 28; be32 28; head -c $(($2 * 784)) /dev/urandom; } >"$1" ||
    setup_failed "writing $2 images to $1" "exit $?"
}

idx_labels() {
  local i
  { printf '\x00\x00\x08\x01'; be32 "$2"; for ((i = 0; i < $2; i++)); do printf "\\x0$((i % 10))"; done; } >"$1" ||
    setup_failed "writing $2 labels to $1" "exit $?"
}
