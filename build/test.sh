#!/usr/bin/env bash
# Builds and runs every test in Pegasus.sln (Debug), then prints one closing line:
#   N passed, N failed, N skipped
# and exits with `dotnet test`'s exit code.
#
# ZooKeeper: installed from Debian's package when missing (as root). When it cannot be had, the
# tests that need it skip, unless PEGASUS_REQUIRE_ZOOKEEPER=1 (as in CI), which makes this script
# fail early and those tests fail rather than skip.
#
# Extra arguments go to `dotnet test`, e.g.:
#   ./build/test.sh -- --filter-class "Pegasus.Tests.Aspire.AppHostTests"
set -uo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

export DOTNET_NOLOGO=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1

if ! "$repo_root/build/install-zookeeper.sh"; then
    if [[ "${PEGASUS_REQUIRE_ZOOKEEPER:-0}" == 1 ]]; then
        echo "PEGASUS_REQUIRE_ZOOKEEPER=1 but ZooKeeper is not available" >&2
        exit 1
    fi
    echo "Continuing without ZooKeeper: tests that need it will skip"
fi

log="$(mktemp -t pegasus-test.XXXXXX.log)"
trap 'rm -f "$log"' EXIT

dotnet test --solution Pegasus.sln --configuration Debug --no-progress --no-ansi "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Microsoft.Testing.Platform ends with a summary block ("total: N", "failed: N",
# "succeeded: N", "skipped: N"); with several test modules the last block is the aggregate.
summary_value() {
    grep -E "^[[:space:]]*$1:[[:space:]]*[0-9]+[[:space:]]*$" "$log" | tail -n 1 | grep -oE '[0-9]+'
}

passed="$(summary_value succeeded)"
failed="$(summary_value failed)"
skipped="$(summary_value skipped)"

echo
if [[ -n "$passed" && -n "$failed" ]]; then
    echo "${passed} passed, ${failed} failed, ${skipped:-0} skipped"
else
    echo "No test summary from dotnet test (did the build fail?); exit code ${status}" >&2
fi
exit "$status"
