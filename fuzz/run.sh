#!/usr/bin/env bash
# `make fuzz`: every cargo-fuzz target for FUZZ_SECONDS (default 60) each, one after the other,
# on the corpus fuzz/seed.sh seeds (and which grows between runs). Prints executions and
# executions per second per target; exits non-zero if any target crashed, with the
# reproducer under fuzz/artifacts/<target>/ (copy it to tests/fixtures/fuzz-regressions/
# <target>/ so that engine/tests/fuzz_regressions.rs replays it in `cargo test`).
#   FUZZ_SECONDS=600 make fuzz        FUZZ_TARGETS="parse_ip_rule permalink" make fuzz
#   FUZZ_RUNS=10000000 make fuzz      (stop each target after that many executions instead;
#                                      FUZZ_SECONDS then only caps the time, default 3 hours)
#   FUZZ_ARGS="-jobs=2 -workers=2"    (extra libFuzzer flags, e.g. on a machine with free cores)
set -uo pipefail
FUZZ="$(cd "$(dirname "$0")" && pwd)"
cd "$FUZZ"
RUNS="${FUZZ_RUNS:-}"
if [ -n "$RUNS" ]; then SECONDS_PER="${FUZZ_SECONDS:-10800}"; else SECONDS_PER="${FUZZ_SECONDS:-60}"; fi
LIMIT=(-max_total_time="$SECONDS_PER")
[ -n "$RUNS" ] && LIMIT+=(-runs="$RUNS")
TARGETS="${FUZZ_TARGETS:-$(cargo +nightly fuzz list)}"
# Safe Rust: no sanitizer needed (ASan would only slow it down); debug assertions and overflow
# checks on, so an arithmetic overflow is a crash here as it is in a debug build.
BUILD=(-s none -a)
bash "$FUZZ/seed.sh" >/dev/null
cargo +nightly fuzz build "${BUILD[@]}" || exit 1
# Run the built binaries directly, so that a source change during a long run cannot rebuild
# (or break) the targets between one target and the next.
BIN="$FUZZ/target/$(rustc +nightly -vV | sed -n 's/^host: //p')/release"
mkdir -p "$FUZZ/logs"
for t in $TARGETS; do mkdir -p "$FUZZ/artifacts/$t"; done
summary=()
failed=()
for t in $TARGETS; do
  log="$FUZZ/logs/$t.log"
  printf '\n=== %s (%ss%s) ===\n' "$t" "$SECONDS_PER" "${RUNS:+, $RUNS runs}"
  # shellcheck disable=SC2086
  "$BIN/$t" "$FUZZ/corpus/$t" -artifact_prefix="$FUZZ/artifacts/$t/" \
    "${LIMIT[@]}" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 ${FUZZ_ARGS:-} >"$log" 2>&1
  rc=$?
  execs=$(grep -h 'stat::number_of_executed_units' "$log" | awk '{s += $2} END {print s + 0}')
  rate=$(grep -h 'stat::average_exec_per_sec' "$log" | awk '{s += $2} END {print s + 0}')
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')
  if [ $rc -ne 0 ]; then
    failed+=("$t")
    grep -E 'panicked at|Test unit written to|ERROR: libFuzzer' "$log" | head -5
    status=CRASH
  else
    status=ok
  fi
  line=$(printf '%-16s %-5s %12s execs %9s exec/s  cov %s' "$t" "$status" "$execs" "$rate" "${cov:-?}")
  echo "$line"
  summary+=("$line")
done
printf '\n=== fuzz summary (%ss per target; logs in fuzz/logs/) ===\n' "$SECONDS_PER"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "CRASHED: ${failed[*]} — reproducers in fuzz/artifacts/<target>/" >&2
  exit 1
fi
