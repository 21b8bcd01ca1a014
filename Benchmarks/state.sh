#!/usr/bin/env bash
# The state benchmark against a throwaway PostgreSQL server: initdb in a temporary folder, a free
# port on 127.0.0.1, password authentication; removed at the end, whatever happens.
#
#   bash Benchmarks/state.sh [handoff-benchmarks state options…]
set -euo pipefail
cd "$(dirname "$0")/.."

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "needs Debian's postgresql package (initdb, pg_ctl)" >&2; exit 1; }

as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

directory=$(mktemp -d /tmp/handoff-state-benchmark.XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres "$directory"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
password=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
stop() {
    as_postgres "$bin/pg_ctl" -D "$directory/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$directory"
}
trap stop EXIT

printf '%s\n' "$password" > "$directory/password"
[ "$(id -u)" = 0 ] && chown postgres "$directory/password"
as_postgres "$bin/initdb" -D "$directory/data" -U handoff --auth-local=trust --auth-host=scram-sha-256 \
    --pwfile="$directory/password" --no-sync >/dev/null
# The server's defaults, except durability: fsync stays on, as on a real database.
as_postgres "$bin/pg_ctl" -D "$directory/data" -l "$directory/log" -w \
    -o "-p $port -k $directory -c listen_addresses=127.0.0.1" start >/dev/null

swift build -c release --package-path Benchmarks --product handoff-benchmarks
HANDOFF_STATE_URL="postgres://handoff:$password@127.0.0.1:$port/postgres?sslmode=disable" \
    "$(swift build -c release --package-path Benchmarks --show-bin-path)/handoff-benchmarks" state "$@"
