#!/bin/sh
# A streaming read replica of the local PostgreSQL 15 cluster, for the tests and
# benches that need one (docs/replica.md).
#
#   scripts/pg_replica.sh up      make it (once) and start it; reuses a running one
#   scripts/pg_replica.sh down    stop it (the data stays, for the next `up`)
#   scripts/pg_replica.sh status  "running", "stopped" or "absent"; exit 0, 3, 4
#
# `up` prints one line: "reused", "started" or "built", and exits 0 once the replica
# answers in recovery and streams from the primary; anything else exits non-zero with
# the reason on stderr (the tests skip with it). Needs root (it creates a cluster
# owned by postgres) and Debian's postgresql-common (pg_createcluster).
#
# The primary must let 127.0.0.1 connect for replication: when its pg_hba.conf has
# no such rule, `up` appends `host replication all 127.0.0.1/32 trust` and reloads it;
# nothing else of the primary is changed. The replica streams through a physical
# replication slot (woq_replica): without one, a primary busy writing recycles the WAL
# written during the base backup before the replica has started (wal_keep_size is 0
# here). `down` drops the slot, so that a stopped replica holds no WAL on the primary;
# a replica stopped for long enough that the primary recycled the WAL it needs cannot
# catch up, and `up` notices (it never reaches "streaming") and builds it again.
set -eu

VERSION=${WOQ_REPLICA_VERSION:-15}
NAME=${WOQ_REPLICA_CLUSTER:-woqreplica}
PORT=${WOQ_REPLICA_PORT:-5433}
PRIMARY_HOST=${WOQ_PRIMARY_HOST:-127.0.0.1}
PRIMARY_PORT=${WOQ_PRIMARY_PORT:-5432}
# How long `up` waits for the replica to stream, in seconds.
WAIT=${WOQ_REPLICA_WAIT:-120}
SLOT=${WOQ_REPLICA_SLOT:-woq_replica}

die() { echo "pg_replica: $*" >&2; exit 1; }

primary() { psql -X -q -At -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -d postgres -c "$1"; }
replica() { psql -X -q -At -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c "$1" 2>/dev/null; }

exists() { pg_lsclusters -h 2>/dev/null | awk -v v="$VERSION" -v n="$NAME" '$1 == v && $2 == n { found = 1 } END { exit !found }'; }
online() { pg_lsclusters -h 2>/dev/null | awk -v v="$VERSION" -v n="$NAME" '$1 == v && $2 == n && $4 ~ /^online/ { found = 1 } END { exit !found }'; }

# Streaming: in recovery, and its WAL receiver connected to the primary.
streaming() { [ "$(replica "SELECT pg_is_in_recovery() AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')")" = "t" ]; }

wait_streaming() {  # [seconds]
    waited=0
    while [ "$waited" -lt "${1:-$WAIT}" ]; do
        streaming && return 0
        sleep 1
        waited=$((waited + 1))
    done
    return 1
}

allow_replication() {
    rules=$(primary "SELECT count(*) FROM pg_hba_file_rules WHERE type = 'host' AND 'replication' = ANY(database) AND address = '127.0.0.1' AND auth_method = 'trust'")
    [ "$rules" != "0" ] && return 0
    hba=$(primary "SHOW hba_file")
    echo "host replication all 127.0.0.1/32 trust" >>"$hba"
    primary "SELECT pg_reload_conf()" >/dev/null
}

has_slot() { [ "$(primary "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$SLOT'")" != "0" ]; }
drop_slot() { primary "SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots WHERE slot_name = '$SLOT' AND NOT active" >/dev/null; }

# The settings a hot standby must have at least as large as its primary's.
standby_settings() {
    primary "SELECT name || ' = ' || setting FROM pg_settings WHERE name IN ('max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions', 'max_locks_per_transaction') ORDER BY name"
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $PORT"
    echo "hot_standby = on"
    # Reports on the replica may run longer than WAL replay may wait for them.
    echo "max_standby_streaming_delay = 5min"
}

build() {
    [ "$(id -u)" = "0" ] || die "must run as root to create a cluster (running as $(id -un))"
    command -v pg_createcluster >/dev/null || die "pg_createcluster not found (Debian's postgresql-common)"
    command -v pg_basebackup >/dev/null || die "pg_basebackup not found"
    primary "SELECT 1" >/dev/null || die "the primary at $PRIMARY_HOST:$PRIMARY_PORT does not answer"
    allow_replication
    if exists; then
        pg_dropcluster --stop "$VERSION" "$NAME"
    fi
    pg_createcluster "$VERSION" "$NAME" --port "$PORT" >/dev/null
    conf_dir=/etc/postgresql/$VERSION/$NAME
    mkdir -p "$conf_dir/conf.d"
    standby_settings >"$conf_dir/conf.d/90-woq-replica.conf"
    # A copy of the primary answers whom the primary answers, as the primary does.
    cp "$(primary "SHOW hba_file")" "$conf_dir/pg_hba.conf"
    data=$(awk -F"'" '/^data_directory/ { print $2 }' "$conf_dir/postgresql.conf")
    [ -n "$data" ] || die "no data_directory in $conf_dir/postgresql.conf"
    find "$data" -mindepth 1 -delete
    drop_slot
    runuser -u postgres -- pg_basebackup -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres \
        -D "$data" -R -X stream -c fast -C -S "$SLOT" ||
        die "pg_basebackup from $PRIMARY_HOST:$PRIMARY_PORT failed"
    pg_ctlcluster "$VERSION" "$NAME" start || die "the replica did not start (see /var/log/postgresql/postgresql-$VERSION-$NAME.log)"
    wait_streaming || die "the replica started but does not stream from the primary within ${WAIT}s"
}

up() {
    if online && streaming; then
        echo reused
        return 0
    fi
    if exists; then
        if ! online; then
            has_slot || primary "SELECT pg_create_physical_replication_slot('$SLOT', true)" >/dev/null
            pg_ctlcluster "$VERSION" "$NAME" start 2>/dev/null || true
        fi
        if online && wait_streaming 30; then
            echo started
            return 0
        fi
        echo "pg_replica: $VERSION/$NAME does not stream (the primary's WAL it needs is gone?): building it again" >&2
    fi
    build
    echo built
}

case "${1:-}" in
up) up ;;
down)
    if online; then pg_ctlcluster "$VERSION" "$NAME" stop; fi
    drop_slot ;;
status)
    if online; then echo running
    elif exists; then echo stopped; exit 3
    else echo absent; exit 4
    fi ;;
*) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
