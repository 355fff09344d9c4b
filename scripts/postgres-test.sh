#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for the tests: `start` installs it if needed (Debian's package),
# creates a cluster in a temporary folder owned by an unprivileged user, listens on 127.0.0.1 only
# and prints the URL to export as GOODHART_TEST_POSTGRES; `stop` stops it and removes the folder.
set -euo pipefail
DIR="${GOODHART_PG_DIR:-/tmp/goodhart-postgres}"
PORT="${GOODHART_PG_PORT:-54329}"
RUN_AS="${GOODHART_PG_USER:-postgres}"
BIN=/usr/lib/postgresql/15/bin

as_user() {
  if [ "$(id -u)" = 0 ]; then su -s /bin/bash "$RUN_AS" -c "$*"; else bash -c "$*"; fi
}

case "${1:-}" in
  start)
    if [ ! -x "$BIN/pg_ctl" ]; then
      apt-get update >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
    fi
    if [ "$(id -u)" = 0 ] && ! id "$RUN_AS" >/dev/null 2>&1; then useradd --system --no-create-home "$RUN_AS"; fi
    if [ -f "$DIR/port" ] && as_user "$BIN/pg_ctl -D $DIR/data status" >/dev/null 2>&1; then
      echo "postgres://goodhart@127.0.0.1:$(cat "$DIR/port")/goodhart"
      exit 0
    fi
    # The first free port from PORT on (another server may hold it).
    while (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do PORT=$((PORT + 1)); done
    rm -rf "$DIR"
    mkdir -p "$DIR"
    if [ "$(id -u)" = 0 ]; then chown "$RUN_AS" "$DIR"; fi
    echo "$PORT" >"$DIR/port"
    as_user "$BIN/initdb -D $DIR/data -U goodhart --auth=trust -E UTF8 --no-sync" >"$DIR.log" 2>&1 || { cat "$DIR.log" >&2; exit 1; }
    # Tests make many short connections and databases; durability does not matter for a throwaway server.
    as_user "$BIN/pg_ctl -D $DIR/data -l $DIR/server.log -w -o \"-h 127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\" start" >&2
    as_user "$BIN/createdb -h 127.0.0.1 -p $PORT -U goodhart goodhart" >&2
    echo "postgres://goodhart@127.0.0.1:$PORT/goodhart"
    ;;
  stop)
    if [ -d "$DIR/data" ]; then as_user "$BIN/pg_ctl -D $DIR/data -m fast -w stop" >&2 || true; fi
    rm -rf "$DIR" "$DIR.log"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 64
    ;;
esac
