#!/usr/bin/env python3
"""Test fixture: the first process passes one line on, waits, and exits 1
(the marker file $1 records that it did); later processes pass lines on."""
import os, sys, time
if not os.path.exists(sys.argv[1]):
    open(sys.argv[1], "w").close()
    sys.stdout.write(sys.stdin.readline())
    sys.stdout.flush()
    time.sleep(0.5)
    sys.exit(1)
for line in sys.stdin:
    sys.stdout.write(line)
    sys.stdout.flush()
