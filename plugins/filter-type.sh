#!/bin/sh
# filter-type.sh — POSIX sh + jq: passes on only the events whose type matches
# one of the patterns in TYPES, and drops the rest. The type is
# `.normalized.type` (see normalize.py) when present, else `.payload.type`.
# Matching lines are written back byte for byte (jq 1.6 would otherwise round
# integers above 2^53, such as Shopify ids). A line that is not a JSON object
# is dropped with a message on stderr.
#
# Environment:
#   TYPES  required; comma-separated patterns, each an exact type or a prefix
#          ending in `*`: "payment_intent.*,orders/create,payment*".
#          Spaces around the commas are ignored.
#
# A filter writes nothing for what it drops; the chain settles those events
# when a later event's line passes, or when it drains the stage (see
# "Settlement and checkpoints").
#
#   [[stage]]
#   name = "payments-only"
#   command = ["plugins/filter-type.sh"]
#   environment = { TYPES = "payment*,payment_intent.*,orders/paid" }
set -eu
if [ -z "${TYPES:-}" ]; then
    echo "filter-type: TYPES is not set (comma-separated types, '*' suffix wildcard)" >&2
    exit 2
fi
exec jq -R -r --unbuffered --arg types "$TYPES" '
    ($types | split(",") | map(gsub("^\\s+|\\s+$"; "")) | map(select(length > 0))) as $patterns
    | . as $line
    | (try fromjson catch null) as $event
    | if ($event | type) != "object" then
          ("filter-type: dropping a line that is not a JSON object: " + $line[0:80] | debug | empty)
      else
          ($event.normalized.type? // $event.payload.type?) as $type
          | select(($type | type) == "string"
                   and any($patterns[] as $p
                           | if ($p | endswith("*")) then ($type | startswith($p[0:-1])) else $type == $p end;
                           .))
          | $line
      end
'
