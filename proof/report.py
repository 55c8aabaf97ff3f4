#!/usr/bin/env python3
"""Turns the JSON lines of the proof harnesses (stdin) into the Markdown table
of docs/RELIABILITY.md. Usage: proof/report.py MODE < results"""
import json, sys

mode = sys.argv[1] if len(sys.argv) > 1 else "ci"
rows = []
for line in sys.stdin:
    try:
        r = json.loads(line)
    except ValueError:
        continue
    if r.get("mode") in ("faults", "failover") and "acknowledged" not in r:
        rows.append((f"three nodes: {r['mode']}", "did not finish: " + "; ".join(r.get("violations", []))[:200],
                     "–", "–", "–", "–", "–", "–", f"{r.get('seconds', '?')} s"))
    elif r.get("mode") in ("faults", "failover"):  # proof/cluster.py: three nodes on PostgreSQL
        if r["mode"] == "faults":
            cycles = (f"{r['kills']['holder']} SIGKILLs of the chain holder, {r['kills']['receiver']} of receivers, "
                      f"{len(r['pauses'])} SIGSTOPs past the lease, {len(r['terminations'])} session terminations, "
                      f"{len(r['partitions'])} partitions; {r['handovers']} handovers, "
                      f"{len(r['feeding_overlaps'])} overlapping feeders")
        else:
            cycles = (f"{r['trials']} SIGKILLs of the holder: first event out of the new holder p50 "
                      f"{r['failover_p50_seconds']} s, max {r['failover_max_seconds']} s (lease_ttl {r['lease_ttl_seconds']} s)")
        rows.append((f"three nodes: {r['mode']} ({r['network']}), PostgreSQL store", cycles, r["acknowledged"],
                     r["delivered"], r["dead_lettered"], r["lost"], r["duplicates"], r.get("torn_lines", "–"),
                     f"{r['seconds']} s"))
    elif "mode" in r and r["mode"] != "selfcheck":
        chain = r.get("chain", "plain")
        if r["mode"] == "daemon":
            cycles = f"{r['kills']} SIGKILLs of the daemon"
        elif r["mode"] == "stages":
            cycles = f"{r['kills']} SIGKILLs of stage processes ({r['restarts']} restarts)"
        else:
            cycles = f"{r['stops']} SIGTERMs, all exit 0: {r['nonzero_exits'] == 0}, slowest stop {r['slowest_stop_seconds']} s"
            if chain == "term0":
                cycles += (f", {r.get('stops_at_deadline', '?')} at the {r['drain_deadline_seconds']} s drain_timeout; "
                           f"the stage exited 0 on {r.get('term0_sigterms', '?')} SIGTERMs, "
                           f"{r.get('term0_sigterms_holding', '?')} of them holding {r.get('term0_lines_held_at_sigterm', '?')} unanswered lines")
        name = f"crash matrix: {r['mode']}"
        if chain == "fanout":
            name += ", fan-out chain"
            cycles += (f"; {r['expected_lines']} lines expected, {r['output_lines']} written, "
                       f"{r['unexpected_lines']} unexpected; {r['filtered_out']} events filtered out whole (not counted as delivered)")
        elif chain == "term0":
            name += ", a stage exits 0 on SIGTERM"
        if r.get("backend") == "postgresql":
            name += ", PostgreSQL store"
        rows.append((name, cycles, r["acknowledged"], r["delivered"], r["dead_lettered"], r["lost"],
                     r["duplicates"], r.get("torn_lines", "–"), f"{r['seconds']} s"))
    elif r.get("case") == "torn_output":
        rows.append(("torn output lines", f"{r['kills']} SIGKILLs of the daemon writing {r['body_kib']} KiB lines; {r['output_lines']} lines",
                     r["acknowledged"], r["delivered"], r["dead_lettered"], r["lost"], r["duplicates"], r["torn_lines"],
                     f"{r['seconds']} s"))
    elif r.get("test") == "fsync_per_ack":
        rows.append(("fsync per acknowledgement (strace)", f"{r['acknowledged']} sequential requests, {r['syncs']} fsync/fdatasync calls",
                     r["acknowledged"], "–", "–", "–", "–", "–", "–"))
    elif r.get("test") == "disk_full":
        rows.append(("disk full", f"{r['refusals_503']} × 503 while full; recovered {r['recovered_after_seconds']} s after space returned",
                     r["acknowledged"], "stored: " + str(r["acknowledged"] - r["lost"]), "–", r["lost"], "–", "–", f"{r['seconds']} s"))
    elif "case" in r and "damaged" in r:
        reported = "reported" if r["reported"] else "NOT reported"
        rows.append((f"damaged store: {r['case']}", f"{r['damaged']}; {reported}", r["acknowledged"], f"readable: {r['readable']}",
                     "–", f"{r['missing']} (damaged region)", "–", "–", "–"))
    elif "cases" in r:
        rows.append(("bad input corpus", f"{r['cases']} cases, {len(r['mismatches'])} mismatches, alive after: {r['alive_after']}",
                     "–", "–", "–", f"stored unexpectedly: {len(r['stored_unexpected'])}", "–", "–", "–"))
print(f"Mode: {mode}\n")
print("| test | cycles / cases | acknowledged | delivered | dead-lettered | lost | duplicates | torn lines | time |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
for row in rows:
    print("| " + " | ".join(str(c) for c in row) + " |")
