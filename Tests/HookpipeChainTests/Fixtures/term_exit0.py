#!/usr/bin/env python3
"""Test fixture: a handler that exits 0 on SIGTERM and takes SECONDS per line.

Records its pid (one line per process) in the file named by $PIDFILE, so a
test can tell which processes ran and whether any outlived the chain.
"""
import os, signal, sys, time
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
with open(os.environ["PIDFILE"], "a") as f:
    f.write(f"{os.getpid()}\n")
seconds = float(sys.argv[1])
for line in sys.stdin:
    time.sleep(seconds)
    sys.stdout.write(line)
    sys.stdout.flush()
