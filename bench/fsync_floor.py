#!/usr/bin/env python3
"""The disk's own latency for a 1 KiB append + fsync, in the given directory:
the physical floor under a durable acknowledgement."""
import os, statistics, sys, time

directory, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2000
path = os.path.join(directory, "fsync-probe")
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
block = b"x" * 1024
samples = []
for _ in range(count):
    start = time.perf_counter_ns()
    os.write(fd, block)
    os.fsync(fd)
    samples.append((time.perf_counter_ns() - start) / 1000)
os.close(fd)
os.unlink(path)
samples.sort()
q = lambda p: samples[min(len(samples) - 1, int(p * len(samples)))]
print(f"{statistics.median(samples):.0f} {q(0.99):.0f} {q(0.999):.0f}")
