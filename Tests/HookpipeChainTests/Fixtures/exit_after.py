#!/usr/bin/env python3
"""Test fixture: passes lines on, exits 0 after K of them (stdin still open)."""
import sys
k = int(sys.argv[1])
for count, line in enumerate(sys.stdin, 1):
    sys.stdout.write(line)
    sys.stdout.flush()
    if count >= k:
        sys.exit(0)
