#!/bin/sh
# pg-insert.sh — POSIX sh + psql (+ jq to check lines): inserts every event
# into a PostgreSQL table and passes it on unchanged once the row is
# committed. Keeps "seq" and "mark".
#
#   CREATE TABLE IF NOT EXISTS <PG_TABLE> (
#     seq bigint PRIMARY KEY, id text, source text, received_at timestamptz,
#     event jsonb NOT NULL, inserted_at timestamptz NOT NULL DEFAULT now())
#
# The table is created at start when missing. Rows are inserted with
# `ON CONFLICT (seq) DO NOTHING`, so an event fed again after a restart (the
# chain delivers at least once) does not produce a second row.
# If PostgreSQL is unreachable or an insert fails, the stage exits with status
# 1 without passing the event on: the supervisor restarts it with backoff and
# feeds the event again. A line that is not a JSON object with a numeric "seq"
# is skipped with a message on stderr. One psql run per event: fine for tens
# of events per second, not for bulk loads.
#
# Environment:
#   PG_TABLE  table name, default hookpipe_events ([schema.]name, letters,
#             digits and _ only)
#   PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD (or PGPASSFILE),
#   PGSSLMODE, ... the standard libpq variables.
#   PGCONNECT_TIMEOUT defaults to 10 here.
#
#   [[stage]]
#   name = "postgres"
#   command = ["plugins/pg-insert.sh"]
#   environment = { PGHOST = "127.0.0.1", PGDATABASE = "hooks", PGUSER = "hookpipe", PG_TABLE = "events" }
set -u
table=${PG_TABLE:-hookpipe_events}
if ! printf '%s' "$table" | grep -Eq '^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$'; then
    echo "pg-insert: PG_TABLE '$table' is not a plain [schema.]table name" >&2
    exit 2
fi
export PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-10}"
export PGAPPNAME="${PGAPPNAME:-hookpipe-pg-insert}"

sql() { psql -X -q -v ON_ERROR_STOP=1 "$@" >/dev/null; }

if ! sql -c "CREATE TABLE IF NOT EXISTS $table (
        seq bigint PRIMARY KEY, id text, source text, received_at timestamptz,
        event jsonb NOT NULL, inserted_at timestamptz NOT NULL DEFAULT now())"; then
    echo "pg-insert: cannot reach PostgreSQL or create $table; exiting" >&2
    exit 1
fi

number=0
while IFS= read -r line || [ -n "$line" ]; do
    number=$((number + 1))
    if ! printf '%s\n' "$line" | jq -e 'type == "object" and (.seq | type == "number")
            and ((.received_at // "") | type == "string")' >/dev/null 2>&1; then
        echo "pg-insert: skipping line $number, not a JSON object with a numeric seq" >&2
        continue
    fi
    # psql quotes :'event' as a literal itself; variables are only expanded in
    # what psql reads, hence the statement on stdin.
    if ! printf '%s\n' "INSERT INTO $table (seq, id, source, received_at, event)
            SELECT (e->>'seq')::bigint, e->>'id', e->>'source', NULLIF(e->>'received_at', '')::timestamptz, e
            FROM (SELECT :'event'::jsonb AS e) AS input
            ON CONFLICT (seq) DO NOTHING;" | sql -v event="$line"; then
        echo "pg-insert: insert of line $number failed; exiting so the supervisor re-feeds it" >&2
        exit 1
    fi
    printf '%s\n' "$line" || exit 1
done
