# shellcheck shell=bash
# A throwaway PostgreSQL server on loopback for the test suite (sourced by .ci/run).
#
# start_postgres: finds the server binaries (PATH, then /usr/lib/postgresql/*/bin), installs
# Debian's package when they are missing and we are root, creates a cluster in a temporary
# directory (in /dev/shm when there is one) owned by a non-root user (initdb refuses root),
# starts it on 127.0.0.1 on a free port with durability off (a test server), and exports
# SMALLCRM_TEST_POSTGRES.
# stop_postgres: stops it and removes the directory.

PG_DIR=""
PG_RUN=()

_pg_bindir() {
    local found
    found=$(command -v pg_ctl 2>/dev/null || true)
    if [ -n "$found" ]; then
        dirname "$(readlink -f "$found")"
        return
    fi
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$found" ] && [ -x "$found/pg_ctl" ] && echo "$found"
}

start_postgres() {
    local bindir port user
    bindir=$(_pg_bindir || true)
    if [ -z "$bindir" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "PostgreSQL server not found: installing Debian's postgresql package" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null \
            || { apt-get update -q >/dev/null && \
                 DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null; }
        bindir=$(_pg_bindir || true)
    fi
    if [ -z "$bindir" ]; then
        echo "PostgreSQL server binaries not found (install the postgresql package)" >&2
        return 1
    fi
    # In memory where the machine has it: creating and dropping a database per test took
    # 4-9 times as long on disk, durability is off anyway, and the server is thrown away.
    local parent=/tmp
    [ -d /dev/shm ] && [ -w /dev/shm ] && parent=/dev/shm
    PG_DIR=$(mktemp -d "$parent/smallcrm-pg.XXXXXX")
    chmod 0755 "$PG_DIR"
    if [ "$(id -u)" = 0 ]; then
        user=postgres
        id -u "$user" >/dev/null 2>&1 || useradd --system --no-create-home "$user"
        chown "$user" "$PG_DIR"
        PG_RUN=(runuser -u "$user" --)
    fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    cd "$PG_DIR" || return 1  # the server's user may not enter the caller's directory
    "${PG_RUN[@]}" "$bindir/initdb" -D "$PG_DIR/data" -U smallcrm --auth=trust -E UTF8 \
        --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
        || { cat "$PG_DIR/initdb.log" >&2; return 1; }
    "${PG_RUN[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c max_connections=300 \
            -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null \
        || { cat "$PG_DIR/server.log" >&2; return 1; }
    cd - >/dev/null || return 1
    PG_BINDIR=$bindir
    export SMALLCRM_TEST_POSTGRES="postgresql+psycopg://smallcrm@127.0.0.1:$port/postgres"
    echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
}

stop_postgres() {
    if [ -n "$PG_DIR" ] && [ -d "$PG_DIR/data" ]; then
        "${PG_RUN[@]}" "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$PG_DIR"
    fi
}
