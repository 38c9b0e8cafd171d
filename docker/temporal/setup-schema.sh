#!/bin/sh
# Creates or upgrades Temporal's schemas; runs (in temporalio/admin-tools) before every server
# start, so it must be idempotent. update-schema applies only the versions a database lacks; only
# a database without a version table yet (a fresh one) gets setup-schema first. The databases
# themselves are made by the PostgreSQL init script.
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
schema_dir=/etc/temporal/schema/postgresql/v12

until nc -z "$POSTGRES_SEEDS" "${DB_PORT:-5432}"; do sleep 1; done

for pair in temporal:temporal temporal_visibility:visibility; do
  db=${pair%%:*}
  dir="$schema_dir/${pair##*:}/versioned"
  sql() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "${DB_PORT:-5432}" -u "$POSTGRES_USER" --db "$db" "$@"; }
  if ! out=$(sql update-schema -d "$dir" 2>&1); then
    case "$out" in
      *'"schema_version" does not exist'*)
        echo "$db: new database, setting up its schema"
        sql setup-schema -v 0.0
        sql update-schema -d "$dir"
        ;;
      *) echo "$out" >&2; exit 1 ;;
    esac
  fi
  echo "$db: schema up to date"
done
