#!/usr/bin/env bash
# Parley's production recipe on one machine: N daphne processes behind nginx, PostgreSQL, Redis.
#
#   deploy/serve.sh start   prepare (database, migrations, templates, static files), start the
#                           processes, wait until healthy, then watch them until Ctrl-C / SIGTERM
#   deploy/serve.sh stop    stop a stack started elsewhere, from its pid files
#
# Settings (environment): SERVE_WORKERS (2), SERVE_LISTEN (127.0.0.1:8080), SERVE_BASE_PORT (8101:
# workers listen on 127.0.0.1:8101, 8102, ...), SERVE_RUN_DIR (deploy/run), PY (.venv/bin/python),
# DATABASE_URL, REDIS_URL, ALLOWED_HOSTS, LLM_* and everything else config/settings.py reads.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

PY="${PY:-$ROOT/.venv/bin/python}"
SERVE_WORKERS="${SERVE_WORKERS:-2}"
SERVE_LISTEN="${SERVE_LISTEN:-127.0.0.1:8080}"
SERVE_BASE_PORT="${SERVE_BASE_PORT:-8101}"
RUN_DIR="${SERVE_RUN_DIR:-$ROOT/deploy/run}"
NGINX="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/parley}"
# socket_timeout above channels_redis' 5 s BZPOPMIN: redis-py 8 defaults to a 5 s read timeout,
# which otherwise kills one socket per process every ~5 s with 1011 (docs/deploy.md).
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0?socket_timeout=15}"
export DEBUG="${DEBUG:-0}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
# nginx in front (deploy/nginx.conf) is the one proxy whose X-Forwarded-For Parley believes.
export TRUSTED_PROXIES="${TRUSTED_PROXIES:-127.0.0.1}"
# Plain HTTP is only acceptable on loopback; a real deployment terminates TLS at nginx and sets 1.
export SECURE_SSL_REDIRECT="${SECURE_SSL_REDIRECT:-0}"
export SESSION_COOKIE_SECURE="${SESSION_COOKIE_SECURE:-0}"
export CSRF_COOKIE_SECURE="${CSRF_COOKIE_SECURE:-0}"
export SECURE_HSTS_SECONDS="${SECURE_HSTS_SECONDS:-0}"
export STATIC_ROOT="${STATIC_ROOT:-$ROOT/staticfiles}"

log() { echo "serve: $*" >&2; }

worker_port() { echo $((SERVE_BASE_PORT + $1 - 1)); }

pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_all() {
  local pidfile
  for pidfile in "$RUN_DIR"/nginx.pid "$RUN_DIR"/worker-*.pid; do
    [[ -f "$pidfile" ]] || continue
    if pid_alive "$pidfile"; then kill -TERM "$(cat "$pidfile")" 2>/dev/null || true; fi
  done
  # daphne closes its sockets and finishes in-flight requests; give it a moment, then insist.
  for _ in $(seq 50); do
    local alive=0
    for pidfile in "$RUN_DIR"/nginx.pid "$RUN_DIR"/worker-*.pid; do
      pid_alive "$pidfile" && alive=1
    done
    ((alive)) || break
    sleep 0.2
  done
  for pidfile in "$RUN_DIR"/nginx.pid "$RUN_DIR"/worker-*.pid; do
    pid_alive "$pidfile" && kill -KILL "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

secret_key() {
  # Generated once per machine and kept out of git (deploy/run/ is ignored); SECRET_KEY from the
  # environment wins, which is how a real deployment passes its own from a secret store.
  local file="$RUN_DIR/secret_key"
  if [[ ! -s "$file" ]]; then
    (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$file")
  fi
  cat "$file"
}

database_create() {
  [[ "$DATABASE_URL" == postgres* ]] || return 0
  "$PY" - <<'PY'
import os
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

url = urlsplit(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
admin = urlunsplit(url._replace(path="/postgres"))
with psycopg.connect(admin, autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"serve: created database {name}")
PY
}

nginx_config() {
  local servers="" n
  for n in $(seq "$SERVE_WORKERS"); do
    # A process that refuses connections is skipped for 2 s instead of being tried on every request.
    servers+="        server 127.0.0.1:$(worker_port "$n") max_fails=1 fail_timeout=2s;"$'\n'
  done
  local conf
  conf="$(<"$ROOT/deploy/nginx.conf")"
  conf="${conf//@RUN_DIR@/$RUN_DIR}"
  conf="${conf//@LISTEN@/$SERVE_LISTEN}"
  conf="${conf//@STATIC_ROOT@/$STATIC_ROOT}"
  conf="${conf//@MIME_TYPES@//etc/nginx/mime.types}"
  conf="${conf//@UPSTREAM_SERVERS@/${servers%$'\n'}}"
  printf '%s\n' "$conf" >"$RUN_DIR/nginx.conf"
  "$NGINX" -t -q -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf"
}

worker_start() {
  local n="$1" port
  port="$(worker_port "$n")"
  # config.server: daphne with the socket frame limits of docs/websocket.md. No --proxy-headers
  # (daphne would believe any X-Forwarded-For) and no access log (nginx keeps one, with tokens
  # redacted): Parley reads the client's address itself, from nginx only (TRUSTED_PROXIES).
  "$PY" -m config.server -b 127.0.0.1 -p "$port" \
    config.asgi:application >>"$RUN_DIR/worker-$n.log" 2>&1 &
  echo $! >"$RUN_DIR/worker-$n.pid"
}

wait_healthy() {
  local url="$1" deadline=$((SECONDS + 60))
  until curl -fs -o /dev/null --max-time 3 "$url"; do
    ((SECONDS < deadline)) || { log "not healthy after 60 s: $url"; return 1; }
    sleep 0.3
  done
}

start() {
  mkdir -p "$RUN_DIR"
  if pid_alive "$RUN_DIR/nginx.pid"; then
    log "already running (pid files in $RUN_DIR); run '$0 stop' first"
    exit 1
  fi
  export SECRET_KEY="${SECRET_KEY:-$(secret_key)}"
  # Every socket is a descriptor; the default soft limit (often 1024) caps a process at ~1,000.
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

  database_create
  "$PY" manage.py migrate --noinput
  "$PY" manage.py seed_templates
  "$PY" manage.py collectstatic --noinput --verbosity 0
  nginx_config

  trap 'log "stopping"; stop_all; exit 0' INT TERM
  local n
  for n in $(seq "$SERVE_WORKERS"); do worker_start "$n"; done
  for n in $(seq "$SERVE_WORKERS"); do wait_healthy "http://127.0.0.1:$(worker_port "$n")/healthz"; done
  "$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -g 'daemon off;' &
  wait_healthy "http://$SERVE_LISTEN/healthz"
  log "ready: http://$SERVE_LISTEN/ ($SERVE_WORKERS ASGI processes, logs and pid files in $RUN_DIR)"

  # A small supervisor: a process that dies is started again, so one crash costs its sockets
  # (clients reconnect) but not capacity.
  while true; do
    sleep 1
    for n in $(seq "$SERVE_WORKERS"); do
      if ! pid_alive "$RUN_DIR/worker-$n.pid"; then
        log "worker $n (port $(worker_port "$n")) died; restarting"
        worker_start "$n"
      fi
    done
    pid_alive "$RUN_DIR/nginx.pid" || { log "nginx died; stopping"; stop_all; exit 1; }
  done
}

case "${1:-start}" in
  start) start ;;
  stop) stop_all ;;
  *) echo "usage: $0 [start|stop]" >&2; exit 2 ;;
esac
