#!/usr/bin/env bash
# shellcheck disable=SC2016  # single-quoted bash -c / node -e bodies are expanded later, on purpose
# Brings the flash-sale system up on this machine, from a fresh clone:
#   ./setup.sh [--workers N]   install, build, MariaDB + RabbitMQ, migrate, seed the demo deal,
#                              start the four services (logs in .run/logs), wait until ready
#   ./setup.sh status          what setup.sh started, and whether it still runs
#   ./setup.sh stop            stop the services it started (SIGTERM, then SIGKILL after a grace period)
#   ./setup.sh infra           only make MariaDB and RabbitMQ reachable (used by .ci/run)
#   ./setup.sh --help          every option
# Re-running it is safe: it stops the services it started before and starts them again; the demo
# stock is seeded only once. Environment variables (DB_NAME, PAYMENT_LATENCY_MS, ...) pass through
# to the services.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

RUN_DIR="${SETUP_RUN_DIR:-$ROOT/.run}"
LOG_DIR="$RUN_DIR/logs"
PID_DIR="$RUN_DIR/pids"
WAIT_SECONDS="${SETUP_WAIT_SECONDS:-120}"   # bound of every wait (MariaDB, RabbitMQ, services)
STOP_GRACE_SECONDS="${SETUP_STOP_GRACE_SECONDS:-25}"  # services force-exit after 20 s themselves

# Connection settings, with the services' own defaults (common/src/config.ts).
DB_HOST="${DB_HOST:-127.0.0.1}"
DB_PORT="${DB_PORT:-3306}"
DB_USER="${DB_USER:-root}"
DB_PASSWORD="${DB_PASSWORD:-}"
DB_NAME="${DB_NAME:-flashsale}"
AMQP_URL="${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672}"
GATEWAY_PORT="${PORT:-5003}"
GRPC_PORT="${GRPC_PORT:-9100}"
export DB_HOST DB_PORT DB_USER DB_PASSWORD DB_NAME AMQP_URL

# Start order; stop runs in reverse (gateway first, inventory last: in-flight checkouts still need it).
SERVICES=(inventory-manager cart-manager checkout-manager api-gateway)
DEMO_PRODUCT="X"
DEMO_SEED_ARGS=(--product "$DEMO_PRODUCT" --name "Lightning deal X" --stock 10 --price 1999 --deal-price 999 --deal-minutes 30)

# ---------------------------------------------------------------- output helpers
if [[ -t 1 ]]; then BOLD=$'\e[1m'; RED=$'\e[31m'; YELLOW=$'\e[33m'; GREEN=$'\e[32m'; RESET=$'\e[0m'
else BOLD=''; RED=''; YELLOW=''; GREEN=''; RESET=''; fi
step() { printf '\n%s==> %s%s\n' "$BOLD" "$*" "$RESET"; }
info() { printf '    %s\n' "$*"; }
warn() { printf '%swarning:%s %s\n' "$YELLOW" "$RESET" "$*" >&2; }
die() { printf '%serror:%s %s\n' "$RED" "$RESET" "$*" >&2; exit 1; }

usage() {
  cat <<EOF
Usage: ./setup.sh [up] [options]     bring everything up (the default)
       ./setup.sh status             list the services setup.sh started
       ./setup.sh stop [--infra]     stop them (--infra: also the Docker Compose MariaDB/RabbitMQ it started)
       ./setup.sh infra              only make MariaDB and RabbitMQ reachable

Options of 'up':
  --workers N       instances of cart-manager and of checkout-manager each (default 1)
  --infra MODE      auto (default): use MariaDB/RabbitMQ if they already answer, else Docker Compose
                    when a Docker engine answers, else the local Debian services (installed if absent);
                    docker | local: force one of them
  --skip-install    do not run npm ci (default: run it unless package-lock.json is unchanged since
                    the last successful install)
  --reinstall       always run npm ci
  --skip-build      do not run npm run build
  --no-seed         do not seed the demo deal
  --no-start        stop after migrations and seeding (start no service)
  -h, --help        this text

Environment: every variable the services read passes through (DB_NAME, DB_HOST, AMQP_URL, PORT,
PAYMENT_LATENCY_MS, RESERVATION_TTL_MS, LOG_LEVEL, ...). Per-service pool sizes:
INVENTORY_DB_POOL_SIZE, CART_DB_POOL_SIZE, CHECKOUT_DB_POOL_SIZE, GATEWAY_DB_POOL_SIZE (else
DB_POOL_SIZE, else 10/5/5/4). SETUP_WAIT_SECONDS bounds every wait (default 120).
EOF
}

# ---------------------------------------------------------------- small utilities
is_root() { [[ "$(id -u)" == 0 ]]; }
# Run a command as root: directly, or through sudo when it works without a password prompt.
as_root() {
  if is_root; then "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@"
  else return 126; fi
}
can_be_root() { is_root || { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; }; }

# port_open HOST PORT: does something accept TCP connections there?
port_open() { timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" >/dev/null 2>&1; }

# wait_port NAME HOST PORT SECONDS [PID]: bounded wait; fails early if PID (a process we started) dies.
wait_port() {
  local name="$1" host="$2" port="$3" seconds="$4" pid="${5:-}" waited=0
  until port_open "$host" "$port"; do
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then return 2; fi
    if (( waited >= seconds )); then
      printf '%serror:%s %s did not accept connections on %s:%s within %ss\n' "$RED" "$RESET" "$name" "$host" "$port" "$seconds" >&2
      return 1
    fi
    sleep 1; waited=$((waited + 1))
  done
  info "$name answers on $host:$port"
}

is_local_host() { [[ "$1" == 127.0.0.1 || "$1" == localhost || "$1" == ::1 ]]; }

# Host and port of AMQP_URL (amqp://user:pass@host:port/vhost).
amqp_host_port() {
  local rest="${AMQP_URL#*://}"; rest="${rest##*@}"; rest="${rest%%/*}"; rest="${rest%%\?*}"
  local host="${rest%%:*}" port=5672
  [[ "$rest" == *:* ]] && port="${rest##*:}"
  [[ "$AMQP_URL" == amqps://* && "$rest" != *:* ]] && port=5671
  printf '%s %s\n' "$host" "$port"
}
read -r AMQP_HOST AMQP_PORT < <(amqp_host_port)

compose() { docker compose "$@"; }
docker_usable() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; }

# ---------------------------------------------------------------- Node
check_node() {
  local how="Install Node 26, the current LTS: 'nvm install 26 && nvm use 26' (https://github.com/nvm-sh/nvm), the installer from https://nodejs.org, or NodeSource's Debian packages (https://github.com/nodesource/distributions); Debian 12's own nodejs is 18"
  command -v node >/dev/null 2>&1 || die "Node.js is not installed. $how."
  command -v npm >/dev/null 2>&1 || die "npm is not installed (it ships with Node.js). $how."
  local major; major="$(node -p 'process.versions.node.split(".")[0]')"
  (( major >= 26 )) || die "Node $(node -v) is too old: this project needs Node 26 or newer (package.json engines). $how, then re-run ./setup.sh."
  info "node $(node -v), npm $(npm -v 2>/dev/null)"
}

install_deps() {
  local stamp="$RUN_DIR/npm-install.stamp" want
  want="$(node -v) $(sha256sum package-lock.json | cut -d' ' -f1)"
  if [[ "$REINSTALL" == 0 && -d node_modules && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    info "node_modules matches package-lock.json (use --reinstall to force npm ci)"
    return
  fi
  # npm ci and nothing else: a lockfile npm ci refuses is a bug to fix (see package.json's
  # overrides), not something to paper over with npm install.
  npm ci --no-audit --no-fund || die "npm ci failed (see above): package-lock.json does not match package.json or cannot be installed here."
  mkdir -p "$RUN_DIR"; printf '%s\n' "$want" >"$stamp"
}

# ---------------------------------------------------------------- MariaDB and RabbitMQ
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "$* not installed and this is not a Debian/Ubuntu system: install them yourself, or start Docker and re-run."
  can_be_root || die "$* not installed: re-run as root (or with passwordless sudo) so setup.sh can apt-get install them, or install them yourself: apt-get install -y $*"
  step "Installing $* from Debian packages"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

start_local_mariadb() {
  if port_open "$DB_HOST" "$DB_PORT"; then info "MariaDB already answers on $DB_HOST:$DB_PORT"; return; fi
  if ! is_local_host "$DB_HOST"; then info "MariaDB at $DB_HOST:$DB_PORT is not local: waiting for it"; return; fi
  if [[ ! -x /usr/sbin/mariadbd ]]; then
    apt_install mariadb-server mariadb-client
    mkdir -p "$RUN_DIR"; touch "$RUN_DIR/installed-mariadb"
  fi
  if pgrep -x mariadbd >/dev/null 2>&1; then info "mariadbd is running, waiting for its port"; return; fi
  can_be_root || die "MariaDB is not running and starting it needs root: run 'sudo start-stop-daemon --start --oknodo --background --chuid mysql --exec /usr/sbin/mariadbd' (or 'sudo service mariadb start') and re-run."
  info "starting mariadbd"
  as_root mkdir -p /run/mysqld
  as_root chown mysql:mysql /run/mysqld
  if [[ ! -d /var/lib/mysql/mysql ]]; then
    info "initialising the data directory /var/lib/mysql"
    as_root mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
  fi
  local out=()
  if [[ -d /var/log/mysql ]] && start-stop-daemon --help 2>&1 | grep -q -- '--output'; then out=(--output /var/log/mysql/mariadbd-setup.log); fi
  as_root start-stop-daemon --start --oknodo --background --chuid mysql "${out[@]}" --exec /usr/sbin/mariadbd
}

start_local_rabbitmq() {
  if port_open "$AMQP_HOST" "$AMQP_PORT"; then info "RabbitMQ already answers on $AMQP_HOST:$AMQP_PORT"; return; fi
  if ! is_local_host "$AMQP_HOST"; then info "RabbitMQ at $AMQP_HOST:$AMQP_PORT is not local: waiting for it"; return; fi
  if ! command -v rabbitmq-server >/dev/null 2>&1 && [[ ! -x /usr/sbin/rabbitmq-server ]]; then
    apt_install rabbitmq-server
  fi
  if pgrep -u rabbitmq -f 'beam.*rabbit' >/dev/null 2>&1; then info "RabbitMQ is booting, waiting for its port"; return; fi
  can_be_root || die "RabbitMQ is not running and starting it needs root: run 'sudo rabbitmq-server -detached' (or 'sudo service rabbitmq-server start') and re-run."
  info "starting rabbitmq-server"
  # The Debian wrapper switches to the rabbitmq user itself.
  as_root env PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH" rabbitmq-server -detached
}

start_docker_infra() {
  info "a Docker engine answers: docker compose up -d mariadb rabbitmq"
  compose up -d mariadb rabbitmq
  mkdir -p "$RUN_DIR"; echo docker >"$RUN_DIR/infra"
  local svc id status waited
  for svc in mariadb rabbitmq; do
    waited=0
    while :; do
      id="$(compose ps -q "$svc")"
      status="$([[ -n "$id" ]] && docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$id" 2>/dev/null || echo missing)"
      [[ "$status" == healthy ]] && { info "$svc is healthy"; break; }
      [[ "$status" == unhealthy || "$status" == exited || "$status" == missing ]] && (( waited > 10 )) &&
        die "$svc is $status: see 'docker compose logs $svc'"
      (( waited >= WAIT_SECONDS )) && die "$svc not healthy within ${WAIT_SECONDS}s (status: $status): see 'docker compose logs $svc'"
      sleep 2; waited=$((waited + 2))
    done
  done
}

# Starts (or installs) what is missing; does not wait. Sets INFRA_MODE.
ensure_infra_started() {
  local mode="$INFRA"
  if [[ "$mode" == auto ]]; then
    if port_open "$DB_HOST" "$DB_PORT" && port_open "$AMQP_HOST" "$AMQP_PORT"; then mode=running
    elif docker_usable; then mode=docker
    else mode=local; fi
  fi
  case "$mode" in
    running) info "MariaDB ($DB_HOST:$DB_PORT) and RabbitMQ ($AMQP_HOST:$AMQP_PORT) already answer" ;;
    docker)
      docker_usable || die "--infra docker: no Docker engine answers ('docker info' fails) or 'docker compose' is missing"
      # The compose file publishes them on 127.0.0.1 (MARIADB_HOST_PORT / AMQP_HOST_PORT).
      export MARIADB_HOST_PORT="${MARIADB_HOST_PORT:-$DB_PORT}" AMQP_HOST_PORT="${AMQP_HOST_PORT:-$AMQP_PORT}"
      start_docker_infra ;;
    local)
      if command -v docker >/dev/null 2>&1 && ! docker info >/dev/null 2>&1; then info "no Docker engine answers: using the local MariaDB and RabbitMQ"; fi
      start_local_mariadb
      start_local_rabbitmq ;;
    *) die "--infra must be auto, docker or local (got '$mode')" ;;
  esac
  INFRA_MODE="$mode"
}

wait_infra() {
  wait_port MariaDB "$DB_HOST" "$DB_PORT" "$WAIT_SECONDS" ||
    die "MariaDB is not reachable on $DB_HOST:$DB_PORT. Check /var/log/mysql/ (local) or 'docker compose logs mariadb'."
  wait_port RabbitMQ "$AMQP_HOST" "$AMQP_PORT" "$WAIT_SECONDS" ||
    die "RabbitMQ is not reachable on $AMQP_HOST:$AMQP_PORT. Check /var/log/rabbitmq/ (local) or 'docker compose logs rabbitmq'."
  # Quorum queues (the work queues) need the quorum_queue feature flag: on by default on a fresh
  # RabbitMQ >= 3.8, possibly off on an upgraded one. Enabling it is idempotent.
  if [[ "$INFRA_MODE" != docker ]] && is_local_host "$AMQP_HOST" && command -v rabbitmqctl >/dev/null 2>&1 && can_be_root; then
    as_root rabbitmqctl -q enable_feature_flag quorum_queue >/dev/null 2>&1 || warn "could not enable RabbitMQ's quorum_queue feature flag (rabbitmqctl enable_feature_flag quorum_queue)"
  fi
}

# Runs JavaScript with the project's node_modules, the DB_* variables in the environment.
# A burst of fresh connections larger than a listening socket's accept queue overflows it: the kernel
# drops the SYNs and each of those clients retries after 1 s, then 3 s (measured in the all-win sale of
# 10,000 buyers with a connection per request: 10,465 SYN retries at net.core.somaxconn 4096, none at
# 16384). The gateway asks for a backlog of LISTEN_BACKLOG (16384); the kernel caps it at somaxconn.
# Raise the cap (and the SYN queue) when this machine lets us, else say how; not persisted across reboots.
ACCEPT_QUEUE=16384
ensure_accept_queue() {
  local f=/proc/sys/net/core/somaxconn cur
  [[ -r "$f" ]] || return 0
  cur="$(cat "$f")"
  (( cur >= ACCEPT_QUEUE )) && return 0
  if can_be_root && as_root sysctl -q -w "net.core.somaxconn=$ACCEPT_QUEUE" "net.ipv4.tcp_max_syn_backlog=$ACCEPT_QUEUE" >/dev/null 2>&1 \
    && (( $(cat "$f") >= ACCEPT_QUEUE )); then
    info "net.core.somaxconn $cur -> $ACCEPT_QUEUE: room in the accept queue for a burst of connects (until reboot)"
  else
    warn "net.core.somaxconn is $cur: a burst of more connects than that waits for 1 s SYN retries; raise it with: sudo sysctl -w net.core.somaxconn=$ACCEPT_QUEUE net.ipv4.tcp_max_syn_backlog=$ACCEPT_QUEUE"
  fi
}

node_js() { node -e "$1"; }

# Prints the rows of one SQL statement, tab-separated; SETUP_DB selects a database.
db_query() {
  SETUP_SQL="$1" node_js '
    const mysql = require("mysql2/promise");
    (async () => {
      const c = await mysql.createConnection({ host: process.env.DB_HOST, port: Number(process.env.DB_PORT),
        user: process.env.DB_USER, password: process.env.DB_PASSWORD, database: process.env.SETUP_DB || undefined,
        connectTimeout: 5000, timezone: "Z" });
      try {
        const [rows] = await c.query(process.env.SETUP_SQL);
        for (const r of Array.isArray(rows) ? rows : []) console.log(Object.values(r).map((v) => v instanceof Date ? v.toISOString() : String(v)).join("\t"));
      } finally { await c.end(); }
    })().catch((e) => { console.error(`${e.code || ""} ${e.message}`.trim()); process.exit(1); });'
}

# Logs in over TCP with DB_USER/DB_PASSWORD. A freshly installed Debian MariaDB lets root in only
# through the unix socket (no password over TCP); the services and tests log in as root with an
# empty password over TCP, like the compose file's MariaDB. setup.sh opens that up only on a MariaDB
# it installed itself, or when SETUP_FIX_DB_AUTH=1.
check_db_login() {
  local err
  if err="$(db_query 'SELECT 1' 2>&1 >/dev/null)"; then info "logged in to MariaDB as $DB_USER"; return; fi
  if [[ "$err" == *ER_ACCESS_DENIED* && "$DB_USER" == root && -z "$DB_PASSWORD" ]] && is_local_host "$DB_HOST" &&
     command -v mariadb >/dev/null 2>&1 && can_be_root &&
     [[ -f "$RUN_DIR/installed-mariadb" || "${SETUP_FIX_DB_AUTH:-0}" == 1 ]]; then
    info "allowing root to log in over TCP from this machine with an empty password (development setup)"
    as_root mariadb -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');
      CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
      FLUSH PRIVILEGES;"
    err="$(db_query 'SELECT 1' 2>&1 >/dev/null)" && { info "logged in to MariaDB as root"; return; }
  fi
  if [[ "$err" == *ER_ACCESS_DENIED* && "$DB_USER" == root && -z "$DB_PASSWORD" ]]; then
    die "MariaDB refused root@$DB_HOST:$DB_PORT with an empty password ($err). Set DB_USER/DB_PASSWORD, or let root in without a password from this machine (development only):
    sudo mariadb -e \"ALTER USER root@localhost IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('')\"
or re-run with SETUP_FIX_DB_AUTH=1 ./setup.sh to have setup.sh do exactly that."
  elif [[ "$err" == *ER_ACCESS_DENIED* ]]; then
    die "MariaDB refused $DB_USER@$DB_HOST:$DB_PORT ($err): check DB_USER and DB_PASSWORD."
  fi
  die "cannot log in to MariaDB at $DB_HOST:$DB_PORT: $err"
}

# Declares and deletes a quorum queue: proves the login works and quorum queues are usable.
check_amqp() {
  local err
  if err="$(node_js '
    const amqp = require("amqplib");
    (async () => {
      const conn = await amqp.connect(process.env.AMQP_URL, { timeout: 5000 });
      try {
        const ch = await conn.createChannel();
        const q = `setup-probe.${process.pid}`;
        await ch.assertQueue(q, { durable: true, arguments: { "x-queue-type": "quorum" } });
        await ch.deleteQueue(q);
        await ch.close();
      } finally { await conn.close(); }
    })().catch((e) => { console.error(e.message); process.exit(1); });' 2>&1)"; then
    info "RabbitMQ accepts the login and quorum queues"
  else
    local hint="quorum queues need RabbitMQ >= 3.8 with the quorum_queue feature flag: sudo rabbitmqctl enable_feature_flag all"
    [[ "$err" == *ACCESS_REFUSED* || "$err" == *403* ]] && hint="check the user and password in AMQP_URL (RabbitMQ's guest user logs in only from localhost)"
    [[ "$err" == *NOT_ALLOWED* || "$err" == *vhost* ]] && hint="check the virtual host in AMQP_URL and the user's permissions on it"
    die "RabbitMQ at $AMQP_HOST:$AMQP_PORT is not usable: $err
($hint)"
  fi
}

# ---------------------------------------------------------------- demo deal
seed_demo() {
  local row
  row="$(SETUP_DB="$DB_NAME" db_query "SELECT quantity, reserved, sold, COALESCE(deal_ends_at > UTC_TIMESTAMP(6), 0) FROM product_details WHERE product_id = '$DEMO_PRODUCT'")" ||
    die "cannot read product_details in database $DB_NAME"
  if [[ -z "$row" ]]; then
    npm run --silent seed -- "${DEMO_SEED_ARGS[@]}"
    info "seeded product $DEMO_PRODUCT: 10 units at 19.99, deal price 9.99 for 30 minutes"
  else
    local available reserved sold deal_open
    read -r available reserved sold deal_open <<<"$row"
    info "product $DEMO_PRODUCT already exists (available $available, reserved $reserved, sold $sold): not adding stock again"
    if [[ "$deal_open" != 1 ]]; then
      # --stock 0 adds no unit (and writes no ledger row); it only moves the deal window.
      npm run --silent seed -- --product "$DEMO_PRODUCT" --stock 0 --deal-price 999 --deal-minutes 30 >/dev/null
      info "its deal window had ended: reopened it for 30 minutes at 9.99"
    fi
    if [[ "$available" == 0 && "$reserved" == 0 ]]; then
      info "all its units are sold; to add some: npm run seed -- --product $DEMO_PRODUCT --stock 10"
    fi
  fi
}

# ---------------------------------------------------------------- services
entry_of() { printf 'dist/%s/src/main.js' "$1"; }
# Node options of a service (the same as GATEWAY_NODE_ARGS in tools/lib/services.ts and the compose command).
node_args_of() { case "$1" in api-gateway) printf '%s' '--max-semi-space-size=8 --heap-growing-percent=20' ;; esac; }

# Pool size of one process of a service, as it will run (mirrors */src/config.ts).
pool_of() {
  case "$1" in
    inventory-manager) printf '%s' "${INVENTORY_DB_POOL_SIZE:-${DB_POOL_SIZE:-10}}" ;;
    cart-manager) printf '%s' "${CART_DB_POOL_SIZE:-${DB_POOL_SIZE:-5}}" ;;
    checkout-manager) printf '%s' "${CHECKOUT_DB_POOL_SIZE:-${DB_POOL_SIZE:-5}}" ;;
    api-gateway) printf '%s' "${GATEWAY_DB_POOL_SIZE:-${DB_POOL_SIZE:-4}}" ;;
  esac
}
instances_of() { case "$1" in cart-manager | checkout-manager) printf '%s' "$WORKERS" ;; *) printf 1 ;; esac; }

check_connection_budget() {
  local svc total=0 n p max
  for svc in "${SERVICES[@]}"; do
    n="$(instances_of "$svc")"; p="$(pool_of "$svc")"
    [[ "$p" =~ ^[0-9]+$ ]] || die "pool size of $svc is not a number: '$p'"
    total=$((total + n * p))
  done
  max="$(db_query 'SELECT @@max_connections')" || die "cannot read MariaDB's max_connections"
  # Leave room for migrations, the seed CLI, a mariadb shell and a test run.
  local headroom=20
  info "MariaDB connection budget: $total pooled connections at most (max_connections $max, keeping $headroom spare)"
  if (( total > max - headroom )); then
    die "the services could open $total MariaDB connections, more than max_connections ($max) minus $headroom spare. Use fewer --workers or smaller pools (CART_DB_POOL_SIZE, CHECKOUT_DB_POOL_SIZE, ...)."
  fi
}

pid_file() { printf '%s/%s-%s.pid' "$PID_DIR" "$1" "$2"; }
log_file() { printf '%s/%s-%s.log' "$LOG_DIR" "$1" "$2"; }

# Is PID alive and running SERVICE's entry point (not a recycled pid)?
is_our_process() {
  local pid="$1" svc="$2"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$(entry_of "$svc")"
}

start_instance() {
  local svc="$1" n="$2" pidf logf pid
  pidf="$(pid_file "$svc" "$n")"; logf="$(log_file "$svc" "$n")"
  [[ -f "$logf" ]] && mv -f "$logf" "$logf.1"
  # setsid: the service outlives this shell and its process group; the inner shell writes its own
  # pid and execs node, so the pid file holds node's pid.
  # $3: the node options of the service, split into words on purpose (none holds a space)
  DB_POOL_SIZE="$(pool_of "$svc")" setsid bash -c 'echo $$ >"$1"; exec node $3 "$2"' _ "$pidf" "$(entry_of "$svc")" "$(node_args_of "$svc")" \
    >>"$logf" 2>&1 </dev/null &
  local waited=0
  until [[ -s "$pidf" ]]; do sleep 0.1; waited=$((waited + 1)); (( waited < 50 )) || die "$svc-$n did not start"; done
  pid="$(cat "$pidf")"
  info "started $svc-$n (pid $pid, log ${logf#"$ROOT"/})"
}

fail_service() {
  local svc="$1" n="$2" why="$3" logf
  logf="$(log_file "$svc" "$n")"
  printf '%serror:%s %s-%s %s. Last lines of %s:\n' "$RED" "$RESET" "$svc" "$n" "$why" "$logf" >&2
  tail -n 30 "$logf" >&2 || true
  stop_services >&2 || true
  exit 1
}

# Refuse to start a second gateway/inventory manager on a port something else holds.
check_port_free() {
  local name="$1" port="$2"
  if port_open 127.0.0.1 "$port"; then
    local who; who="$(ss -ltnpH "sport = :$port" 2>/dev/null | sed -n 's/.*users:((\(.*\)))/\1/p' | head -1)"
    die "port $port ($name) is already in use${who:+ by $who}: stop that process, or set ${3} to another port."
  fi
}

start_services() {
  local svc n pid
  for svc in "${SERVICES[@]}"; do
    [[ -f "$(entry_of "$svc")" ]] || die "$(entry_of "$svc") does not exist: the build did not produce $svc (is $svc/src/main.ts there?)"
  done
  mkdir -p "$LOG_DIR" "$PID_DIR"
  check_port_free "inventory-manager gRPC" "$GRPC_PORT" GRPC_PORT
  check_port_free "api-gateway HTTP" "$GATEWAY_PORT" PORT

  start_instance inventory-manager 1
  pid="$(cat "$(pid_file inventory-manager 1)")"
  wait_port "inventory-manager gRPC" 127.0.0.1 "$GRPC_PORT" "$WAIT_SECONDS" "$pid" || fail_service inventory-manager 1 "did not come up"

  for svc in cart-manager checkout-manager; do
    for ((n = 1; n <= WORKERS; n++)); do start_instance "$svc" "$n"; done
  done
  start_instance api-gateway 1
  pid="$(cat "$(pid_file api-gateway 1)")"

  local url="http://127.0.0.1:$GATEWAY_PORT/readyz" waited=0 code
  until code="$(http_status "$url")" && [[ "$code" == 200 ]]; do
    kill -0 "$pid" 2>/dev/null || fail_service api-gateway 1 "exited"
    (( waited < WAIT_SECONDS )) || fail_service api-gateway 1 "did not answer 200 on $url within ${WAIT_SECONDS}s (last: ${code:-no answer})"
    sleep 1; waited=$((waited + 1))
  done
  info "api-gateway is ready ($url answers 200)"

  # Every process must still be alive (a worker with a bad config exits at once).
  for svc in "${SERVICES[@]}"; do
    for ((n = 1; n <= $(instances_of "$svc"); n++)); do
      is_our_process "$(cat "$(pid_file "$svc" "$n")")" "$svc" || fail_service "$svc" "$n" "exited"
    done
  done
}

http_status() {
  node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(3000) }).then((r) => { console.log(r.status); }, () => process.exit(1))' "$1" 2>/dev/null
}

# Sends SIGTERM to one group of instances, waits, then SIGKILLs what is left.
stop_group() {
  local pids=() files=() f pid svc
  for svc in "$@"; do
    for f in "$PID_DIR/$svc"-*.pid; do
      [[ -e "$f" ]] || continue
      pid="$(cat "$f" 2>/dev/null || true)"
      if is_our_process "$pid" "$svc"; then
        kill -TERM "$pid" 2>/dev/null || true
        pids+=("$pid"); info "SIGTERM $(basename "$f" .pid) (pid $pid)"
      fi
      files+=("$f")
    done
  done
  local waited=0 alive
  while :; do
    alive=()
    for pid in "${pids[@]+"${pids[@]}"}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
    (( ${#alive[@]} == 0 )) && break
    if (( waited >= STOP_GRACE_SECONDS * 10 )); then
      for pid in "${alive[@]}"; do warn "pid $pid did not stop within ${STOP_GRACE_SECONDS}s: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; done
      break
    fi
    sleep 0.1; waited=$((waited + 1))
  done
  for f in "${files[@]+"${files[@]}"}"; do rm -f "$f"; done
}

stop_services() {
  [[ -d "$PID_DIR" ]] || return 0
  stop_group api-gateway
  stop_group cart-manager checkout-manager
  stop_group inventory-manager
}

any_pid_files() { compgen -G "$PID_DIR/*.pid" >/dev/null 2>&1; }

cmd_status() {
  local f base pid svc state found=0
  printf '%-22s %-8s %-9s %s\n' SERVICE PID STATE LOG
  for svc in "${SERVICES[@]}"; do
    for f in "$PID_DIR/$svc"-*.pid; do
      [[ -e "$f" ]] || continue
      found=1; base="$(basename "$f" .pid)"; pid="$(cat "$f" 2>/dev/null || true)"
      if is_our_process "$pid" "$svc"; then state=running; else state="${RED}stopped${RESET}"; fi
      printf '%-22s %-8s %-9s %s\n' "$base" "$pid" "$state" "${LOG_DIR#"$ROOT"/}/$base.log"
    done
  done
  (( found )) || echo "(no service started by setup.sh)"
  echo
  if port_open "$DB_HOST" "$DB_PORT"; then echo "MariaDB   $DB_HOST:$DB_PORT reachable"; else echo "MariaDB   $DB_HOST:$DB_PORT ${RED}not reachable${RESET}"; fi
  if port_open "$AMQP_HOST" "$AMQP_PORT"; then echo "RabbitMQ  $AMQP_HOST:$AMQP_PORT reachable"; else echo "RabbitMQ  $AMQP_HOST:$AMQP_PORT ${RED}not reachable${RESET}"; fi
  local code; code="$(http_status "http://127.0.0.1:$GATEWAY_PORT/readyz" 2>/dev/null || true)"
  echo "Gateway   http://localhost:$GATEWAY_PORT/readyz -> ${code:-no answer}"
}

cmd_stop() {
  if any_pid_files; then step "Stopping the services setup.sh started"; stop_services; info "stopped"
  else info "no service started by setup.sh is running"; fi
  if [[ "$STOP_INFRA" == 1 ]]; then
    if [[ -f "$RUN_DIR/infra" && "$(cat "$RUN_DIR/infra")" == docker ]]; then
      step "Stopping the Docker Compose MariaDB and RabbitMQ"; compose stop mariadb rabbitmq; rm -f "$RUN_DIR/infra"
    else
      info "MariaDB and RabbitMQ were not started through Docker Compose by setup.sh: leaving them running"
    fi
  fi
}

print_summary() {
  local base="http://localhost:$GATEWAY_PORT"
  cat <<EOF

${GREEN}${BOLD}The flash-sale system is up.${RESET}
  Swagger UI:  $base/documentation
  OpenAPI:     $base/openapi.json
  Logs:        ${LOG_DIR#"$ROOT"/}/<service>-<n>.log      Status: ./setup.sh status      Stop: ./setup.sh stop

Buy a unit of the lightning deal:
  curl -s -X POST $base/addToCart -H 'Content-Type: application/json' \\
       -d '{"clientID":"alice","productID":"$DEMO_PRODUCT","quantity":1}'
  curl -s -X POST $base/checkOutCart -H 'Content-Type: application/json' \\
       -d '{"clientID":"alice"}'
  curl -s $base/products/$DEMO_PRODUCT
EOF
}

# ---------------------------------------------------------------- main
COMMAND=up; WORKERS=1; INFRA="${SETUP_INFRA:-auto}"; SKIP_INSTALL=0; REINSTALL=0; SKIP_BUILD=0
NO_SEED=0; NO_START=0; STOP_INFRA=0; INFRA_MODE=""
while (( $# )); do
  case "$1" in
    up | stop | status | infra) COMMAND="$1" ;;
    --workers) [[ $# -ge 2 ]] || die "--workers needs a number"; WORKERS="$2"; shift ;;
    --workers=*) WORKERS="${1#*=}" ;;
    --infra) if [[ "$COMMAND" == stop ]]; then STOP_INFRA=1; else
               [[ $# -ge 2 ]] || die "--infra needs auto, docker or local"; INFRA="$2"; shift; fi ;;
    --infra=*) INFRA="${1#*=}" ;;
    --skip-install) SKIP_INSTALL=1 ;;
    --reinstall) REINSTALL=1 ;;
    --skip-build) SKIP_BUILD=1 ;;
    --no-seed) NO_SEED=1 ;;
    --no-start) NO_START=1 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
  shift
done
[[ "$WORKERS" =~ ^[1-9][0-9]*$ ]] || die "--workers must be a positive integer (got '$WORKERS')"

case "$COMMAND" in
  status) cmd_status; exit 0 ;;
  stop) cmd_stop; exit 0 ;;
esac

# The services accept only these database names (common/src/config.ts); say so before any work.
[[ "$DB_NAME" =~ ^[A-Za-z0-9_]{1,64}$ ]] || die "DB_NAME must be letters, digits and _ only, 1 to 64 characters (got '$DB_NAME')"

# Services and tests open many sockets: raise the open-files limit to the hard limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
ensure_accept_queue

if [[ "$COMMAND" == infra ]]; then
  step "MariaDB and RabbitMQ"
  ensure_infra_started
  wait_infra
  exit 0
fi

step "Checking Node.js"
check_node

if any_pid_files; then
  step "Stopping the services a previous ./setup.sh started"
  stop_services
fi

# Fail now, not after install and build, if something else holds the services' ports.
if [[ "$NO_START" == 0 ]]; then
  check_port_free "inventory-manager gRPC" "$GRPC_PORT" GRPC_PORT
  check_port_free "api-gateway HTTP" "$GATEWAY_PORT" PORT
fi

# Start the databases first (no wait): they boot while npm installs and tsc compiles.
step "MariaDB and RabbitMQ"
ensure_infra_started

if [[ "$SKIP_INSTALL" == 0 ]]; then step "Installing dependencies"; install_deps; fi
if [[ "$SKIP_BUILD" == 0 ]]; then step "Building (npm run build)"; npm run --silent build; info "built into dist/"; fi

step "Waiting for MariaDB and RabbitMQ"
wait_infra
check_db_login
check_amqp

step "Applying migrations to database $DB_NAME"
npm run --silent db:migrate

if [[ "$NO_SEED" == 0 ]]; then step "Demo lightning deal"; seed_demo; fi

if [[ "$NO_START" == 1 ]]; then
  info "--no-start: not starting the services"
  exit 0
fi

step "Starting the services (inventory, $WORKERS cart and $WORKERS checkout worker(s), gateway)"
check_connection_budget
start_services
print_summary
