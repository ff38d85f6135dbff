#!/usr/bin/env bash
# A production-shaped cluster on one machine, all on 127.0.0.1:
#   HAProxy (:BASE)  ->  app node 1 (:BASE+1), app node 2 (:BASE+2)   gunicorn each, own instance folder
#   Redis (:BASE+3), PostgreSQL primary (:BASE+4), its streaming replica (:BASE+5, pg_basebackup)
#
#   bash scripts/cluster.sh up            # start everything (initialises what is missing; demo data by default)
#   bash scripts/cluster.sh status        # one line per part; exit 1 when a part is down
#   bash scripts/cluster.sh down          # stop everything (the data stay under CLUSTER_DIR)
#   bash scripts/cluster.sh destroy       # down, then remove CLUSTER_DIR
#   bash scripts/cluster.sh node-stop N   # drain node N at the balancer, then stop it gracefully
#   bash scripts/cluster.sh node-kill N   # SIGKILL node N's gunicorn (master and workers)
#   bash scripts/cluster.sh node-start N  # start node N, put it back in the balancer once healthy
#   bash scripts/cluster.sh replica-stop | replica-start | redis-restart | primary-stop | primary-start
#   bash scripts/cluster.sh env           # the environment of a node (DATABASE_URL, ...) as shell exports
#   bash scripts/cluster.sh backup OUT    # the primary's warehouse (pg_dump) and the submission archive into OUT
#   bash scripts/cluster.sh restore IN    # a fresh cluster (CLUSTER_DIR must not hold one) from the backup IN
#
# Environment: CLUSTER_DIR (default /tmp/occ-cluster), CLUSTER_PORT (BASE, default 56000), SEED_DEMO
# (default 1), DEMO_UNTIL, WEB_CONCURRENCY (per node, default 2), SECRET_KEY (default: one made at init and
# kept in CLUSTER_DIR), CLUSTER_APP_ENV (default development; production refuses the demo's users).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

DIR=${CLUSTER_DIR:-/tmp/occ-cluster}
BASE=${CLUSTER_PORT:-56000}
LB_PORT=$BASE; REDIS_PORT=$((BASE + 3)); PRIMARY_PORT=$((BASE + 4)); REPLICA_PORT=$((BASE + 5))
STATS_SOCK=$DIR/haproxy.sock
PGBIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}
PY=$REPO/.venv/bin/python
DB=occ
NODES=(1 2)

node_port() { echo $((BASE + $1)); }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
say() { echo "cluster: $*"; }
wait_for() {  # wait_for SECONDS WHAT COMMAND...: poll COMMAND every 0.2 s until it succeeds
  local limit=$1 what=$2; shift 2
  local end=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $end ]; then say "$what not ready after ${limit}s"; return 1; fi
    sleep 0.2
  done
}

need_packages() {
  local need=()
  command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
  [ -x "$PGBIN/initdb" ] || need+=(postgresql)
  if [ ${#need[@]} -gt 0 ]; then
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    say "installing ${need[*]}"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)

secret() {
  [ -f "$DIR/secret_key" ] || "$PY" -c 'import secrets; print(secrets.token_urlsafe(48))' > "$DIR/secret_key"
  cat "$DIR/secret_key"
}

node_env() {  # the environment every node shares (the same secret, warehouse, replica, cache)
  cat <<EOF
export DATABASE_URL=postgresql+psycopg2://postgres@127.0.0.1:$PRIMARY_PORT/$DB
export DATABASE_READ_URL=postgresql+psycopg2://postgres@127.0.0.1:$REPLICA_PORT/$DB
export CACHE_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
export SECRET_KEY=${SECRET_KEY:-$(secret)}
export APP_ENV=${CLUSTER_APP_ENV:-development}
export SEED_DEMO=${SEED_DEMO:-1}
export TRUST_PROXY=1
EOF
  [ -z "${DEMO_UNTIL:-}" ] || echo "export DEMO_UNTIL=$DEMO_UNTIL"
}

# --- PostgreSQL: a primary and a streaming replica --------------------------------------------------

pg_ready() { "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$1"; }
pg_running() { [ -f "$1/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$1" status >/dev/null 2>&1; }

pg_start() {  # pg_start DATA PORT
  pg_running "$1" && return 0
  as_pg "$PGBIN/pg_ctl" -D "$1" -w -t 60 -l "$1.log" -o "-h 127.0.0.1 -p $2 -k $DIR" start >/dev/null
}

pg_stop() {  # pg_stop DATA [MODE]
  pg_running "$1" || return 0
  as_pg "$PGBIN/pg_ctl" -D "$1" -m "${2:-fast}" -w stop >/dev/null
}

primary_init() {
  [ -f "$DIR/primary/PG_VERSION" ] && return 0
  say "initialising the primary ($DIR/primary)"
  as_pg "$PGBIN/initdb" -D "$DIR/primary" -A trust -U postgres -E UTF8 --no-locale >/dev/null
  cat >> "$DIR/primary/postgresql.conf" <<EOF
# scripts/cluster.sh
wal_level = replica
max_wal_senders = 10
wal_keep_size = 512MB
hot_standby = on
hot_standby_feedback = on
max_connections = 200
shared_buffers = 256MB
archive_mode = off
EOF
  pg_start "$DIR/primary" "$PRIMARY_PORT"
  as_pg "$PGBIN/psql" -q -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -c "CREATE DATABASE $DB" >/dev/null
}

replica_init() {
  [ -f "$DIR/replica/PG_VERSION" ] && return 0
  say "cloning the replica from the primary (pg_basebackup)"
  mkdir -p "$DIR/replica"; chmod 700 "$DIR/replica"
  [ "$(id -u)" -eq 0 ] && chown postgres "$DIR/replica"
  as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$DIR/replica" -R -X stream -c fast
}

# --- Redis -------------------------------------------------------------------------------------------

redis_up() { redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }
redis_start() {
  redis_up && return 0
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" --maxmemory 512mb --maxmemory-policy allkeys-lru
  wait_for 10 "Redis" redis_up
}
redis_stop() {
  redis_up || return 0
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  wait_for 10 "Redis to stop" bash -c "! redis-cli -p $REDIS_PORT ping"
}

# --- HAProxy -----------------------------------------------------------------------------------------

haproxy_cfg() {
  cat <<EOF
# written by scripts/cluster.sh
global
    maxconn 4096
    stats socket $STATS_SOCK mode 600 level admin
    pidfile $DIR/haproxy.pid
    daemon

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 65s
    timeout http-request 10s
    timeout queue 30s
    option httplog
    log stdout format raw local0 notice
    # any node serves any request (no cookie, no stickiness); a request whose connection to a
    # node fails, or that a node closes without an answer (killed or stopping), goes to another
    # node: Dash callbacks are reads, and a submission sent twice is recognised by its sha256
    balance roundrobin
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response
    option http-buffer-request

frontend occ
    bind 127.0.0.1:$LB_PORT
    option forwardfor
    default_backend nodes

backend nodes
    # liveness: a route that needs no warehouse (the boards keep serving last-known data
    # while PostgreSQL is away; /api/v1/health is for alerting, not for taking nodes out)
    option httpchk GET /_favicon.ico
    http-check expect status 200
    default-server inter 1s fastinter 500ms downinter 1s fall 2 rise 2 maxconn 64
EOF
  for n in "${NODES[@]}"; do
    echo "    server node$n 127.0.0.1:$(node_port "$n") check"
  done
}

haproxy_up() { [ -f "$DIR/haproxy.pid" ] && kill -0 "$(cat "$DIR/haproxy.pid")" 2>/dev/null; }
haproxy_start() {
  haproxy_cfg > "$DIR/haproxy.cfg"
  haproxy_up && return 0
  "$HAPROXY" -q -f "$DIR/haproxy.cfg" >> "$DIR/haproxy.log" 2>&1
  wait_for 10 "HAProxy" haproxy_up
}
haproxy_stop() {
  haproxy_up || return 0
  kill "$(cat "$DIR/haproxy.pid")"; rm -f "$DIR/haproxy.pid"
}
lb_cmd() { echo "$1" | "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.stdin.buffer.read())
print(b"".join(iter(lambda: s.recv(65536), b"")).decode(), end="")' "$STATS_SOCK"; }
# the balancer's view of node N: status (UP, DOWN, MAINT, DRAIN...) and its current sessions
lb_field() { lb_cmd "show stat" | awk -F, -v n="node$1" -v f="$2" '
  NR==1 { for (i = 1; i <= NF; i++) if ($i == f || $i == "# " f) col = i }
  $1 == "nodes" && $2 == n { print $col }'; }

# --- app nodes ---------------------------------------------------------------------------------------

node_pid() { cat "$DIR/node$1/gunicorn.pid" 2>/dev/null || true; }
node_up() { local p; p=$(node_pid "$1"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
node_live() { curl -fsS -o /dev/null "http://127.0.0.1:$(node_port "$1")/_favicon.ico"; }
lb_sees_up() { [ "$(lb_field "$1" status)" = "UP" ]; }

node_start() {
  local n=$1 folder=$DIR/node$1
  mkdir -p "$folder"
  # the submission archive is shared storage (one folder here; NFS or the like across hosts)
  mkdir -p "$DIR/archive"; [ -L "$folder/archive" ] || ln -s "$DIR/archive" "$folder/archive"
  if ! node_up "$n"; then
    (
      eval "$(node_env)"
      export INSTANCE_DIR=$folder BIND=127.0.0.1:$(node_port "$n") WEB_CONCURRENCY=${WEB_CONCURRENCY:-2}
      export ACCESS_LOG=${ACCESS_LOG:-$folder/access.log}
      cd "$REPO"
      exec "$REPO/.venv/bin/gunicorn" 'app:create_app()' --pid "$folder/gunicorn.pid" \
        --daemon --error-logfile "$folder/error.log" --name "occ-node$n" \
        --control-socket "$folder/gunicorn.ctl"
    )
  fi
  wait_for 300 "node $n" node_live "$n"
  if haproxy_up; then
    lb_cmd "set server nodes/node$n state ready" >/dev/null
    wait_for 20 "node $n in the balancer" lb_sees_up "$n"
  fi
}

node_drained() { [ "$(lb_field "$1" scur)" = "0" ]; }
node_stop() {  # graceful: no new requests from the balancer, the ones in flight finish, then stop
  local n=$1 pid
  if haproxy_up; then
    lb_cmd "set server nodes/node$n state drain" >/dev/null
    wait_for 30 "node $n to drain" node_drained "$n" || true
    lb_cmd "set server nodes/node$n state maint" >/dev/null
  fi
  node_up "$n" || return 0
  pid=$(node_pid "$n")
  kill -TERM "$pid"  # gunicorn: finish the requests in flight (graceful_timeout), then exit
  wait_for 40 "node $n to stop" bash -c "! kill -0 $pid"
}

node_kill() {
  local n=$1 pid
  node_up "$n" || return 0
  pid=$(node_pid "$n")
  pkill -KILL -P "$pid" || true  # its workers
  kill -KILL "$pid"
  rm -f "$DIR/node$n/gunicorn.pid"
}

# --- the whole --------------------------------------------------------------------------------------

up() {
  need_packages
  mkdir -p "$DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres "$DIR"
  secret >/dev/null
  primary_init
  pg_start "$DIR/primary" "$PRIMARY_PORT"
  replica_init
  pg_start "$DIR/replica" "$REPLICA_PORT"
  redis_start
  haproxy_start
  # one node first: its master migrates (and seeds) the warehouse; then the others
  for n in "${NODES[@]}"; do node_start "$n"; done
  wait_for 20 "the balancer" curl -fsS -o /dev/null "http://127.0.0.1:$LB_PORT/api/v1/health"
  status
}

# --- backup and restore -------------------------------------------------------------------------------
# The warehouse first (pg_dump: one consistent snapshot, sessions and tokens included), the archive
# after it: a submission's file is archived before its transaction commits, so every submission in
# the dump finds its file in the archive copy. SECRET_KEY is not in the backup (keep it apart).

backup() {
  local out=${1:?backup folder}
  mkdir -p "$out"
  pg_ready "$PRIMARY_PORT" || { say "the primary is down"; return 1; }
  as_pg "$PGBIN/pg_dump" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -Fc -Z 6 "$DB" > "$out/warehouse.dump"
  tar -C "$DIR" -czf "$out/archive.tar.gz" archive
  {
    echo "created_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "data_version=$(as_pg "$PGBIN/psql" -At -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -c \
      'SELECT version FROM data_version WHERE id = 1' "$DB")"
    echo "postgresql=$("$PGBIN/postgres" --version | awk '{print $3}')"
    (cd "$out" && sha256sum warehouse.dump archive.tar.gz)
  } > "$out/MANIFEST"
  say "backup in $out ($(du -sh "$out" | cut -f1))"
}

restore() {
  local from=${1:?backup folder}
  [ -f "$from/warehouse.dump" ] && [ -f "$from/archive.tar.gz" ] || { say "no backup in $from"; return 1; }
  (cd "$from" && tail -n 2 MANIFEST | sha256sum -c --quiet -) || { say "the backup's checksums do not match"; return 1; }
  [ -f "$DIR/primary/PG_VERSION" ] && { say "$DIR already holds a cluster: restore into a fresh one"; return 1; }
  need_packages
  mkdir -p "$DIR"; [ "$(id -u)" -eq 0 ] && chown postgres "$DIR"
  secret >/dev/null
  primary_init
  as_pg "$PGBIN/pg_restore" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d "$DB" --no-owner --exit-on-error \
    < "$from/warehouse.dump"
  as_pg "$PGBIN/psql" -q -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -c "VACUUM ANALYZE" "$DB"
  tar -C "$DIR" -xzf "$from/archive.tar.gz"
  say "restored $(grep data_version "$from/MANIFEST") from $from"
  SEED_DEMO=0 up
}

down() {
  for n in "${NODES[@]}"; do node_stop "$n" || true; done
  haproxy_stop
  redis_stop || true
  pg_stop "$DIR/replica" || true
  pg_stop "$DIR/primary" || true
  say "stopped"
}

status() {
  local bad=0 line
  line() { printf 'cluster: %-9s %-24s %s\n' "$1" "$2" "$3"; }
  if haproxy_up; then line balancer "127.0.0.1:$LB_PORT" up; else line balancer "127.0.0.1:$LB_PORT" down; bad=1; fi
  for n in "${NODES[@]}"; do
    local state=down lb=""
    node_up "$n" && state=up
    haproxy_up && lb="(balancer: $(lb_field "$n" status))"
    line "node$n" "127.0.0.1:$(node_port "$n")" "$state $lb"
    [ $state = up ] || bad=1
  done
  if redis_up; then line redis "127.0.0.1:$REDIS_PORT" up; else line redis "127.0.0.1:$REDIS_PORT" down; bad=1; fi
  if pg_ready "$PRIMARY_PORT"; then line primary "127.0.0.1:$PRIMARY_PORT" up; else line primary "127.0.0.1:$PRIMARY_PORT" down; bad=1; fi
  if pg_ready "$REPLICA_PORT"; then
    line replica "127.0.0.1:$REPLICA_PORT" "up (replaying: $(as_pg "$PGBIN/psql" -At -h 127.0.0.1 \
      -p "$REPLICA_PORT" -U postgres -c 'SELECT pg_is_in_recovery()' "$DB" 2>/dev/null))"
  else line replica "127.0.0.1:$REPLICA_PORT" down; bad=1; fi
  return $bad
}

cmd=${1:-status}
case "$cmd" in
  up) up ;;
  down) down ;;
  destroy) down; rm -rf "$DIR"; say "removed $DIR" ;;
  status) status ;;
  env) node_env ;;
  backup) backup "${2:-}" ;;
  restore) restore "${2:-}" ;;
  node-stop) node_stop "${2:?node number}" ;;
  node-kill) node_kill "${2:?node number}" ;;
  node-start) node_start "${2:?node number}" ;;
  replica-stop) pg_stop "$DIR/replica" fast ;;
  replica-start) pg_start "$DIR/replica" "$REPLICA_PORT" ;;
  primary-stop) pg_stop "$DIR/primary" fast ;;
  primary-start) pg_start "$DIR/primary" "$PRIMARY_PORT" ;;
  redis-restart) redis_stop; redis_start ;;
  *) echo "usage: $0 up|down|destroy|status|env|backup OUT|restore IN|node-stop N|node-kill N|node-start N|replica-stop|replica-start|redis-restart|primary-stop|primary-start" >&2; exit 2 ;;
esac
