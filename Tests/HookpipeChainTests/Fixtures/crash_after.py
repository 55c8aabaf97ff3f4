#!/usr/bin/env python3
"""Test fixture: passes lines on, then kills itself with SIGNAL after K lines."""
import os, signal, sys
k, sig = int(sys.argv[1]), getattr(signal, sys.argv[2])
for count, line in enumerate(sys.stdin, 1):
    sys.stdout.write(line)
    sys.stdout.flush()
    if count >= k:
        os.kill(os.getpid(), sig)
