#!/usr/bin/env bash
# Two lanes. Extra arguments go to pytest.
#   bash scripts/test.sh              # full lane (CI): installs system packages, starts a throwaway
#                                     # PostgreSQL on 127.0.0.1 (stopped on exit), runs every test
#   bash scripts/test.sh -k per001    # a subset of the full lane
#   bash scripts/test.sh --quick      # quick lane: SQLite only, no system packages, no PostgreSQL,
#                                     # no browser, Redis, gunicorn, fault, load or heap test
#   bash scripts/test.sh --quick tests/test_periods.py
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
QUICK=0
if [ "${1:-}" = "--quick" ]; then QUICK=1; shift; fi
# What the quick lane leaves out (the markers are described in pyproject.toml).
QUICK_MARKERS="not browser and not render and not postgres and not slow and not fault and not heavy"

# 1. Python environment (the quick lane installs only when the requirements changed)
[ -x .venv/bin/python ] || "$PY" -m venv .venv
STAMP=.venv/.requirements.sha256
WANT=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ $QUICK -eq 0 ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
  echo "$WANT" > "$STAMP"
fi

if [ $QUICK -eq 1 ]; then
  # A test that would start a browser or a server fails here, naming its missing marker (tests/conftest.py).
  unset TEST_DATABASE_URL TEST_PG_BIN TEST_PG_DATA
  export OCC_TEST_LANE=quick
  exec .venv/bin/python -m pytest -m "$QUICK_MARKERS" "$@"
fi

# 2. System packages: Chromium for browser tests and image export, PostgreSQL, fonts, poppler, Redis
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ -n "$(fc-list "Noto Sans" 2>/dev/null)" ] || need+=(fonts-noto-core)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing system packages: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# 3. Throwaway PostgreSQL on 127.0.0.1
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PGDIR=$(mktemp -d /tmp/occ-pg.XXXXXX)
PGPORT=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres "$PGDIR"
as_pg "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres -E UTF8 --no-locale >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -w -l "$PGDIR/log" \
  -o "-h 127.0.0.1 -p $PGPORT -k $PGDIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
cleanup() { as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$PGDIR"; }
trap cleanup EXIT
export TEST_DATABASE_URL="postgresql+psycopg2://postgres@127.0.0.1:$PGPORT/postgres"
export TEST_PG_BIN="$PGBIN" TEST_PG_DATA="$PGDIR/data"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PGPORT"

# 4. The suite
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
exit $status
