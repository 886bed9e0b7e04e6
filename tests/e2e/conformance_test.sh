#!/usr/bin/env bash
# The official OCI distribution-spec conformance suite (v1.1.1, all four
# workflows) against ferryd on an empty data dir in its open loopback mode.
# Every spec that applies to ferryd passes: 75 passed, 0 failed; the 4
# skips need settings the suite leaves to the registry (see the suite's
# README). The suite is a prebuilt Go test binary kept beside the project
# (../shared/tools/oci-conformance, or OCI_CONFORMANCE=DIR), not in it: it
# is downloaded code. Without it the test is skipped (exit 77), saying so.
source "$(dirname "$0")/lib.sh"
SUITE=${OCI_CONFORMANCE:-$HERE/../../../shared/tools/oci-conformance}
if [[ ! -x $SUITE/run ]]; then
  echo "SKIP: the OCI conformance suite is not at $SUITE (set OCI_CONFORMANCE=DIR)"
  exit 77
fi
start_ferryd "$WORK/data"
"$SUITE/run" "http://$REG" "$WORK/report" 1 >"$WORK/summary.txt" 2>&1 || true
cat "$WORK/summary.txt"
counts() { grep -oE '[0-9]+ Passed \| [0-9]+ Failed' "$WORK/report/stdout.txt" | tail -1; }
check "the suite ran to its summary" grep -qE 'Passed.*Failed' "$WORK/report/stdout.txt"
check "75 specs pass, none fails" equal "$(counts)" "75 Passed | 0 Failed"
if ((FAILED)); then grep -B2 -A20 '\[FAIL\]' "$WORK/report/stdout.txt" | head -80; fi
stop_ferryd
finish
