#!/usr/bin/env bash
# Make sure a PostgreSQL server is installed, for the action log tests (tests/pg.py).
#
# Installs the Debian package `postgresql` when no server binaries are found under
# /usr/lib/postgresql/*/bin; does nothing (and takes no time) when they are. It starts
# no server: tests/pg.py starts a throwaway cluster of its own on a free local port
# and deletes it after the run. Needs root or sudo for apt-get. Called by .ci/run.
set -euo pipefail

have_server() {
    compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null && compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

if have_server; then
    echo "ci_postgres: PostgreSQL server found: $(ls -d /usr/lib/postgresql/*/bin | tr '\n' ' ')"
    exit 0
fi
if ! command -v apt-get >/dev/null; then
    echo "ci_postgres: no PostgreSQL server and no apt-get; install the PostgreSQL server (initdb, pg_ctl) or set HOTSPOT_TEST_POSTGRES_URL" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
echo "ci_postgres: installing the Debian package postgresql"
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
if ! have_server; then
    echo "ci_postgres: apt-get installed postgresql but no initdb/pg_ctl under /usr/lib/postgresql/*/bin" >&2
    exit 1
fi
echo "ci_postgres: installed $(ls -d /usr/lib/postgresql/*/bin | tr '\n' ' ')"
