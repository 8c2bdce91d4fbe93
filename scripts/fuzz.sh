#!/usr/bin/env bash
# Structure-aware fuzzing campaign (issue 14): mutates the shipped fixtures and feeds them to
# the solver's entry points (see solver/tests/fuzz.rs). Prints executions and time per
# property. FUZZ_CASES (default 5000) sets the cases per property, FUZZ_TIME_LIMIT (default
# 0.5) the solver's limit in seconds. A crash's full input is written to
# target/tmp/fuzz-crash-*.json.
set -euo pipefail
cd "$(dirname "$0")/.."
export FUZZ_CASES=${FUZZ_CASES:-5000}
echo "fuzz: ${FUZZ_CASES} cases per property"
start=$(date +%s)
FUZZ_CASES=$FUZZ_CASES cargo test --release -p mediation-solver --test fuzz -- --nocapture "$@"
end=$(date +%s)
echo "fuzz: campaign took $((end - start)) s (including the build)"
