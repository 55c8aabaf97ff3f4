#!/usr/bin/env python3
"""enrich.py — Python: adds a "summary" object with the source, the event id
and, when the payload has one, the amount, and counts the hop. Reads one
JSON object per line on stdin, writes one per line on stdout, logs to
stderr, exits when stdin closes. Keeps "seq" and "mark".
  [[stage]] command = ["python3", "plugins/enrich.py"]"""
import json
import sys

for line in sys.stdin:
    try:
        event = json.loads(line)
    except ValueError as error:
        print(f"enrich: skipping a line that is not JSON: {error}", file=sys.stderr)
        continue
    payload = event.get("payload") or {}
    amount = payload.get("amount") if isinstance(payload, dict) else None
    event["summary"] = {"source": event.get("source"), "id": event.get("id"), "amount": amount}
    event["hops"] = event.get("hops", 0) + 1
    sys.stdout.write(json.dumps(event, separators=(",", ":")) + "\n")
    sys.stdout.flush()
