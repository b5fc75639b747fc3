#!/bin/sh
# Entrypoint of the postgres image with pgBackRest (Dockerfile here; the control plane's tests run
# this same file): warns when pgBackRest cannot archive, then starts PostgreSQL the image's way.
#
# It only warns: a database that cannot archive still serves (WAL waits in pg_wal until archiving
# works), and the control plane's backup readiness check says exactly what is missing.
set -eu

conf="${PGBACKREST_CONFIG:-/etc/pgbackrest/pgbackrest.conf}"
warn() { echo "pgbackrest-entrypoint: WARNING: $*" >&2; }

if ! command -v pgbackrest >/dev/null 2>&1; then
  warn "pgbackrest is not installed in this image: archive_command will fail. Build compose/traider/postgres/Dockerfile and use that image."
elif [ ! -r "$conf" ]; then
  warn "$conf is missing or unreadable for uid $(id -u): mount compose/traider/postgres/pgbackrest.conf there (read-only)."
else
  repo="$(sed -n 's/^[[:space:]]*repo1-path[[:space:]]*=[[:space:]]*//p' "$conf" | tail -n 1)"
  repo="${repo:-/var/lib/pgbackrest}"
  if [ ! -d "$repo" ] || [ ! -w "$repo" ]; then
    warn "the pgBackRest repository $repo is not a directory uid $(id -u) can write: mount the pgbackrest-repo volume there and chown it to $(id -u)."
  fi
fi

# The TimescaleDB / postgres images: their entrypoint runs initdb (POSTGRES_USER, POSTGRES_DB,
# POSTGRES_PASSWORD_FILE, /docker-entrypoint-initdb.d) and then the command.
if command -v docker-entrypoint.sh >/dev/null 2>&1; then
  exec docker-entrypoint.sh "$@"
fi

# A bare image (the control plane's test image): initdb on first start as the image's entrypoint
# does (local socket connections trusted, TCP with a password); POSTGRES_DB is not created here.
: "${PGDATA:=/var/lib/postgresql/data}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  echo "pgbackrest-entrypoint: initialising $PGDATA for superuser ${POSTGRES_USER:-postgres}"
  initdb -D "$PGDATA" -U "${POSTGRES_USER:-postgres}" --auth-local=trust --auth-host=scram-sha-256 \
    --data-checksums --locale=C --encoding=UTF8 >/dev/null
fi
exec "$@"
