# Shared by ./run and ./test: install what is missing and run a private PostgreSQL cluster.
# Sourced, not executed. Development-only credentials: the cluster listens on 127.0.0.1 alone.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OWNER_ROLE=gatehouse_owner
OWNER_PASSWORD=gatehouse-owner-dev
APP_ROLE=gatehouse_app
APP_PASSWORD=gatehouse-app-dev
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# The browser tests drive Debian's chromium; Playwright must never fetch browsers of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  log "Installing $*"
  if [ -z "${APT_UPDATED:-}" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# ensure_tools [browser]: "browser" adds Debian's chromium, which tests/Browser drives (./test). Node.js for web/ too.
ensure_tools() {
  local missing=()
  if [ "${1:-}" = browser ]; then [ -x /usr/bin/chromium ] || missing+=(chromium); fi
  [ -n "$(pg_bindir)" ] && [ -x "$(pg_bindir)/postgres" ] || missing+=(postgresql)
  command -v psql >/dev/null || missing+=(postgresql-client)
  command -v curl >/dev/null || missing+=(curl)
  command -v openssl >/dev/null || missing+=(openssl)
  if [ "$(id -u)" = 0 ]; then command -v runuser >/dev/null || missing+=(util-linux); fi
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
  if ! command -v dotnet >/dev/null; then
    echo "The .NET 10 SDK is required (dotnet on PATH)." >&2
    exit 1
  fi
  ensure_node
}

# ensure_node: Node.js and npm for the console in web/. Vite 8 needs Node.js 20.19+ (or 22.12+) and its lockfile
# installs cleanly with npm 11; Debian 12's own packages are Node.js 18 and npm 9. So: Debian's nodejs and npm when
# there is none, and when what is on PATH is older, Node.js 22 and npm 11 from the npm registry (packages that carry
# the binary) into .data/node, put first on PATH for this script.
ensure_node() {
  command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
  local prefix="$ROOT/.data/node"
  [ -x "$prefix/node_modules/.bin/node" ] && export PATH="$prefix/node_modules/.bin:$PATH"
  node_is_recent && return
  local arch
  case "$(uname -m)" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
  log "Node.js $(node --version) / npm $(npm --version) are older than the console's build needs; installing Node.js 22 and npm 11 into .data/node"
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "node-linux-$arch@22" npm@11 >/dev/null
  export PATH="$prefix/node_modules/.bin:$PATH"
  node_is_recent || { echo "Node.js 20.19+ and npm 11 are required for web/ (have $(node --version), npm $(npm --version))." >&2; exit 1; }
}

node_is_recent() {
  node -e 'const [a, b] = process.versions.node.split(".").map(Number);
    process.exit(a > 22 || (a === 22 && b >= 12) || a === 21 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null \
    && [ "$(npm --version 2>/dev/null | cut -d. -f1)" -ge 11 ] 2>/dev/null
}

# console_deps: web/node_modules from the committed lockfile, when missing or older than the lockfile.
console_deps() {
  if [ ! -f "$ROOT/web/node_modules/.package-lock.json" ] || [ "$ROOT/web/package-lock.json" -nt "$ROOT/web/node_modules/.package-lock.json" ]; then
    log "Installing the console's packages (npm ci in web/)"
    (cd "$ROOT/web" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# PostgreSQL refuses to run as root: as root the cluster belongs to the 'postgres' OS user that the
# Debian package creates; otherwise to the current user.
pg_user() { if [ "$(id -u)" = 0 ]; then echo postgres; else id -un; fi; }
as_pg() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

# The cluster lives under .data/ unless the postgres user cannot reach this checkout (e.g. under /root).
cluster_dir() {
  local name=$1
  local dir="$ROOT/.data/$name"
  mkdir -p "$ROOT/.data"
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$ROOT/.data" 2>/dev/null; then
    dir="/var/lib/gatehouse/$(printf '%s' "$ROOT" | md5sum | cut -c1-12)/$name"
  fi
  echo "$dir"
}

# start_cluster NAME PORT: initialise once, start if not running, ensure roles; sets PG_SUPERUSER_URL.
start_cluster() {
  local name=$1 port=$2 dir bin pwfile
  dir=$(cluster_dir "$name"); bin=$(pg_bindir); pwfile="$dir.superuser-password"
  if [ ! -f "$dir/PG_VERSION" ]; then
    log "Initialising PostgreSQL cluster in $dir"
    mkdir -p "$dir"
    [ -f "$pwfile" ] || head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$pwfile"
    if [ "$(id -u)" = 0 ]; then chown -R postgres: "$dir" "$pwfile"; fi
    chmod 700 "$dir"; chmod 600 "$pwfile"
    as_pg "$bin/initdb" -D "$dir" -U postgres --auth=scram-sha-256 --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    log "Starting PostgreSQL on 127.0.0.1:$port"
    as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/postgresql.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='' -c max_connections=500 -c fsync=off" >/dev/null
    STARTED_CLUSTERS+=("$dir")
  fi
  PG_SUPERUSER_URL="postgresql://postgres:$(cat "$pwfile")@127.0.0.1:$port/postgres"
  psql -q -v ON_ERROR_STOP=1 "$PG_SUPERUSER_URL" >/dev/null <<SQL
do \$\$ begin
  if not exists (select from pg_roles where rolname = '$OWNER_ROLE') then
    create role $OWNER_ROLE login createdb password '$OWNER_PASSWORD';
  end if;
  if not exists (select from pg_roles where rolname = '$APP_ROLE') then
    create role $APP_ROLE login nosuperuser nobypassrls password '$APP_PASSWORD';
  end if;
end \$\$;
-- Definer functions declare "set gatehouse.definer = 'on'"; only a superuser may grant that (PostgreSQL 15+).
grant set on parameter gatehouse.definer to $OWNER_ROLE;
SQL
}

STARTED_CLUSTERS=()
stop_started_clusters() {
  local dir
  for dir in "${STARTED_CLUSTERS[@]}"; do
    as_pg "$(pg_bindir)/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
  done
}

# ensure_database SUPERUSER_URL NAME
ensure_database() {
  local su=$1 db=$2
  if [ -z "$(psql -tA "$su" -c "select 1 from pg_database where datname = '$db'")" ]; then
    psql -q "$su" -c "create database $db owner $OWNER_ROLE" >/dev/null
  fi
}
