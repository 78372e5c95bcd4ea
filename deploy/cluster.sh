#!/usr/bin/env bash
# A local cluster on loopback: a private PostgreSQL, N TicketBooking instances (the published app) and HAProxy in
# front of them. Ctrl+C (or SIGTERM) stops everything it started.
#
#   deploy/cluster.sh [N]          N instances (default 3); open http://127.0.0.1:8080
#
# Settings (environment):
#   CLUSTER_DIR     run folder: logs, pid files, haproxy.cfg, e-mails (mail/), the database cluster and its connection
#                   string (pg.connection) (default: a new temp folder)
#   LB_PORT         the balancer's port (8080); APP_PORT_BASE: instance i listens on APP_PORT_BASE + i (5100),
#                   or on any free port with APP_PORT_BASE=auto
#   APP_DIR         a published TicketBooking.Web (default: published into CLUSTER_DIR/app first)
#   TICKETS_PG      an Npgsql connection string to use instead of starting PostgreSQL
#   APP_ENVIRONMENT ASPNETCORE_ENVIRONMENT of the instances (Production); Organizer__Password etc. pass through
#   WATCH_PID       stop the cluster when this process ends (tests)
# Needs: .NET, Debian's postgresql (unless TICKETS_PG) and haproxy packages.
set -euo pipefail

instances="${1:-3}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
run="${CLUSTER_DIR:-$(mktemp -d /tmp/ticketbooking-cluster-XXXXXX)}"
lb_port="${LB_PORT:-8080}"
port_base="${APP_PORT_BASE:-5100}"
mkdir -p "$run"
pids=()

stop() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n "${pg_data:-}" ]]; then as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -m fast stop >/dev/null 2>&1 || true; fi
}
trap stop EXIT INT TERM
if [[ -n "${WATCH_PID:-}" ]]; then
  ( while kill -0 "$WATCH_PID" 2>/dev/null; do sleep 1; done; kill -TERM $$ 2>/dev/null ) &
  pids+=("$!")
fi

as_postgres() { if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# A port nothing on 127.0.0.1 answers on, and not one this run already handed out (nothing listens on those yet). Below
# the kernel's ephemeral range, where outgoing connections take their local ports: one of those answers nothing yet
# cannot be bound.
taken=" ${LB_PORT:-8080} "
ephemeral_low="$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
free_port() {
  local port
  while true; do
    port=$((10000 + RANDOM % (ephemeral_low - 10000)))
    [[ "$taken" == *" $port "* ]] && continue
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
    taken+="$port "
    echo "$port"
    return
  done
}

if [[ -z "${APP_DIR:-}" ]]; then
  echo "Publishing the app into $run/app"
  dotnet publish "$repo/TicketBooking.Web" -c Release -o "$run/app" --nologo -v quiet
  APP_DIR="$run/app"
fi

if [[ -z "${TICKETS_PG:-}" ]]; then
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  pg_data="$run/pg"
  free_port > "$run/.port"; pg_port="$(cat "$run/.port")"; taken+="$pg_port "
  mkdir -p "$pg_data"
  [[ "$(id -u)" == 0 ]] && chown postgres "$run" "$pg_data"
  as_postgres "$pg_bin/initdb" -D "$pg_data" -U postgres -A trust -E UTF8 --locale=C >/dev/null
  as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -l "$run/postgres.log" -w \
    -o "-p $pg_port -k $run -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
  as_postgres "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres tickets
  TICKETS_PG="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=tickets"
  echo "$TICKETS_PG" > "$run/pg.connection"
  echo "PostgreSQL on 127.0.0.1:$pg_port ($pg_data)"
fi

servers=""
for i in $(seq 1 "$instances"); do
  if [[ "$port_base" == auto ]]; then free_port > "$run/.port"; port="$(cat "$run/.port")"; taken+="$port "; else port=$((port_base + i)); fi
  ASPNETCORE_ENVIRONMENT="${APP_ENVIRONMENT:-Production}" \
  Storage__Provider=Postgres ConnectionStrings__Tickets="$TICKETS_PG" \
  ForwardedHeaders__KnownProxies__0=127.0.0.1 Email__PickupDirectory="${Email__PickupDirectory:-$run/mail}" \
    bash -c 'cd "$1" && exec dotnet TicketBooking.Web.dll --urls "$2"' _ "$APP_DIR" "http://127.0.0.1:$port" > "$run/app$i.log" 2>&1 &
  pids+=("$!")
  echo "$!" > "$run/app$i.pid"
  echo "$port" > "$run/app$i.port"
  servers+="    server app$i 127.0.0.1:$port cookie app$i check"$'\n'
done

for i in $(seq 1 "$instances"); do
  port="$(cat "$run/app$i.port")"
  for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    kill -0 "${pids[$((i - 1))]}" 2>/dev/null || { echo "instance $i exited; see $run/app$i.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "instance $i on 127.0.0.1:$port (pid ${pids[$((i - 1))]}, log $run/app$i.log)"
done

# The repository's haproxy.cfg with this run's balancer port and one server line per instance.
grep -v '^    server app' "$repo/deploy/haproxy.cfg" | sed "s/bind 127.0.0.1:8080/bind 127.0.0.1:$lb_port/" > "$run/haproxy.cfg"
printf '%s' "$servers" >> "$run/haproxy.cfg"
haproxy -f "$run/haproxy.cfg" -db > "$run/haproxy.log" 2>&1 &
haproxy_pid="$!"
pids+=("$haproxy_pid")
echo "$haproxy_pid" > "$run/haproxy.pid"
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$lb_port/health" >/dev/null 2>&1 && break
  kill -0 "$haproxy_pid" 2>/dev/null || { echo "haproxy exited; see $run/haproxy.log" >&2; cat "$run/haproxy.log" >&2; exit 1; }
  sleep 0.1
done
echo "ready: http://127.0.0.1:$lb_port ($instances instances behind HAProxy; run folder $run)"
# Written whole, then renamed: whoever waits for the file never reads it half-written.
echo "$lb_port" > "$run/ready.tmp" && mv "$run/ready.tmp" "$run/ready"
# Runs until stopped; an instance that dies (or is killed) leaves the others serving behind the balancer.
wait "$haproxy_pid" || true
