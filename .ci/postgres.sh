# Sourced by .ci/run: starts a throw-away PostgreSQL cluster from Debian's packages
# so the case-database tests run against a real server as well as SQLite.
# Defines start_test_postgres, which exports HAOPIN_TEST_DATABASE_URL and stops the
# server when the calling shell exits. Listens on a unix socket only: no port clash.

start_test_postgres() {
    local bindir
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
        echo "PostgreSQL is not installed (run .ci/system-packages.sh as root)" >&2
        return 1
    fi
    PG_TEST_DIR=$(mktemp -d /tmp/haopin-pg.XXXXXX)
    local as_owner=()
    if [ "$(id -u)" -eq 0 ]; then
        # initdb and postgres refuse to run as root.
        chown postgres: "$PG_TEST_DIR"
        as_owner=(runuser -u postgres --)
    fi
    "${as_owner[@]}" "$bindir/initdb" -D "$PG_TEST_DIR/data" -U haopin --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 >"$PG_TEST_DIR/initdb.log" 2>&1 \
        || { cat "$PG_TEST_DIR/initdb.log" >&2; return 1; }
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w \
        -o "-c listen_addresses='' -c unix_socket_directories='$PG_TEST_DIR' -c fsync=off" start >/dev/null \
        || { cat "$PG_TEST_DIR/server.log" >&2; return 1; }
    PG_TEST_STOP=("${as_owner[@]}" "$bindir/pg_ctl" -D "$PG_TEST_DIR/data" -m fast stop)
    trap 'stop_test_postgres' EXIT
    "$bindir/createdb" -h "$PG_TEST_DIR" -U haopin haopin_test
    export HAOPIN_TEST_DATABASE_URL="postgresql+psycopg://haopin@/haopin_test?host=$PG_TEST_DIR"
    echo "PostgreSQL for tests: $HAOPIN_TEST_DATABASE_URL"
}

stop_test_postgres() {
    "${PG_TEST_STOP[@]}" >/dev/null 2>&1 || true
    rm -rf "$PG_TEST_DIR"
}
