#!/bin/sh
# hop.sh — POSIX sh + jq: passes every event on, counting the stages it
# crossed in "hops". Keeps "seq" and "mark" (jq's `. + {…}` keeps every field), so the
# chain can settle events as soon as they leave.
#   [[stage]] command = ["plugins/hop.sh"]
exec jq -c --unbuffered '. + {hops: ((.hops // 0) + 1)}'
