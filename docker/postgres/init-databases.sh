#!/bin/sh
# Runs once, when the PostgreSQL volume is first initialised (docker-entrypoint-initdb.d).
# Temporal's two databases belong to the superuser it connects as; Graphium gets its own role,
# owning only its own database.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v graphium_password="$GRAPHIUM_DB_PASSWORD" <<'SQL'
CREATE DATABASE temporal;
CREATE DATABASE temporal_visibility;
CREATE ROLE graphium LOGIN PASSWORD :'graphium_password';
CREATE DATABASE graphium OWNER graphium;
SQL
