#!/usr/bin/env bash
# Makes sure a local ZooKeeper (Debian's `zookeeper` package: /usr/share/java/zookeeper.jar plus
# java) is installed, installing it with apt-get when we are root and it is missing.
# Exit 0 when ZooKeeper is usable afterwards, 1 when it is not (the caller decides whether that
# is fatal: see PEGASUS_REQUIRE_ZOOKEEPER in build/test.sh).
set -uo pipefail

zookeeper_jar=/usr/share/java/zookeeper.jar

have_zookeeper() {
    [[ -f "$zookeeper_jar" ]] && command -v java >/dev/null 2>&1
}

if have_zookeeper; then
    echo "ZooKeeper: found $zookeeper_jar and $(command -v java)"
    exit 0
fi

if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "ZooKeeper: not installed; installing Debian's zookeeper package"
    export DEBIAN_FRONTEND=noninteractive
    if apt-get update -q && apt-get install -y -q --no-install-recommends zookeeper; then
        if have_zookeeper; then
            echo "ZooKeeper: installed $zookeeper_jar"
            exit 0
        fi
    fi
    echo "ZooKeeper: installing Debian's zookeeper package failed" >&2
    exit 1
fi

echo "ZooKeeper: not installed, and cannot install it (needs root and apt-get): run 'apt-get install zookeeper'" >&2
exit 1
