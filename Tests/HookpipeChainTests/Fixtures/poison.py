#!/usr/bin/env python3
"""Test fixture: passes lines on, but exits 3 with a message on stderr when an
event's payload has "poison": true."""
import json, sys
for line in sys.stdin:
    event = json.loads(line)
    if event.get("payload", {}).get("poison"):
        print(f"boom: cannot handle seq {event.get('seq')}", file=sys.stderr, flush=True)
        sys.exit(3)
    sys.stdout.write(line)
    sys.stdout.flush()
