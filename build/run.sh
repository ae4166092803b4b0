#!/usr/bin/env bash
# Starts the local Pegasus cluster (ZooKeeper when configured, meta and replica servers) and
# the Aspire dashboard; Ctrl+C stops everything. Extra arguments go to the AppHost, e.g.
#   ./build/run.sh --Pegasus:ReplicaCount=5
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
exec dotnet run --project Pegasus.AppHost --launch-profile http -- "$@"
