#!/usr/bin/env bash
# Chain benchmark: events/s from a backlog of stored ~1 KiB events through
# 3 `cat` stages, one `jq -c .` stage and one Python pass-through, each next
# to the same data through the same programs as a plain shell pipeline (the
# ceiling); then end-to-end latency (HTTP request -> line out of a 3-stage
# chain) at a steady rate. Figures only, not a test. bench/run.sh runs the
# same measurements next to the peers.
#   bench/chain.sh [events] [rate] [seconds]   (defaults 200000 1000 5)
#   PROFILE="python" bench/chain.sh            (perf profile of that run: "3 x cat", "jq" or "python";
#                                              the daemon and its stages, from start to stop)
#   HOOKPIPE_BIN=path bench/chain.sh           (use that binary instead of building)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$bench_root"
count="${1:-200000}"; rate="${2:-1000}"; seconds="${3:-5}"
need jq jq; need sqlite3 sqlite3; need bc bc
hookpipe=$(hookpipe_binary)
bench_init chain-bench
port=$(free_port)
chain_passthrough_py "$work/pass.py"

# Create the schema, then the backlog.
hp_config "$work" "$port" "" "discard"; hp_start "$work" "$port"; hp_stop
python3 bench/fill_store.py "$work/state/hookpipe.sqlite" "$count" "$work/envelopes.ndjson"

cat3=$(chain_measure "$work" "$port" "$count" "3 x cat" "$(hp_stage a '["cat"]'; hp_stage b '["cat"]'; hp_stage c '["cat"]')")
cat3_shell=$(chain_ceiling "$work/envelopes.ndjson" "$count" "cat | cat | cat")
jq1=$(chain_measure "$work" "$port" "$count" "jq" "$(hp_stage jq '["jq", "-c", "."]')")
jq1_shell=$(chain_ceiling "$work/envelopes.ndjson" "$count" "jq -c .")
py1=$(chain_measure "$work" "$port" "$count" "python" "$(hp_stage py "[\"python3\", \"$work/pass.py\"]")")
py1_shell=$(chain_ceiling "$work/envelopes.ndjson" "$count" "python3 $work/pass.py")

# End-to-end latency through 3 cat stages into a file.
hp_sql "$work" "DELETE FROM events; INSERT OR REPLACE INTO checkpoints (consumer, seq) VALUES ('chain', (SELECT seq FROM sqlite_sequence WHERE name='events'))"
hp_config "$work" "$port" "$(hp_stage a '["cat"]'; hp_stage b '["cat"]'; hp_stage c '["cat"]')" "file:$work/out.ndjson"
hp_start "$work" "$port"
read -r e2e_p50 e2e_p99 e2e_max e2e_seen e2e_sent < <(python3 bench/e2e_latency.py "$port" "$hp_secret" "$work/out.ndjson" "$rate" "$seconds")
hp_stop

echo "hookpipe chain benchmark — $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), $count stored events of ~1 KiB"
echo
echo "| chain | hookpipe events/s | shell pipeline events/s | hookpipe ÷ shell |"
echo "|---|---:|---:|---:|"
printf '| 3 × cat | %s | %s | %.2f |\n' "$cat3" "$cat3_shell" "$(echo "$cat3 / $cat3_shell" | bc -l)"
printf '| jq -c . | %s | %s | %.2f |\n' "$jq1" "$jq1_shell" "$(echo "$jq1 / $jq1_shell" | bc -l)"
printf '| python pass-through | %s | %s | %.2f |\n' "$py1" "$py1_shell" "$(echo "$py1 / $py1_shell" | bc -l)"
printf '| 3 × cat ÷ jq under hookpipe | %.2f | | |\n' "$(echo "$cat3 / $jq1" | bc -l)"
echo
echo "end-to-end (request sent -> line out of 3 cat stages) at $rate events/s for ${seconds}s: p50 ${e2e_p50}us p99 ${e2e_p99}us max ${e2e_max}us ($e2e_seen of $e2e_sent seen)"
