#!/usr/bin/env python3
"""Test fixture: passes lines on, but exits 3 with a message on stderr when an
event's payload has "poison": true, unless a file named "cured" exists in its
working directory (so a test can make a retried dead letter go through)."""
import json, os, sys
for line in sys.stdin:
    event = json.loads(line)
    if event.get("payload", {}).get("poison") and not os.path.exists("cured"):
        print(f"boom: cannot handle seq {event.get('seq')}", file=sys.stderr, flush=True)
        sys.exit(3)
    sys.stdout.write(line)
    sys.stdout.flush()
