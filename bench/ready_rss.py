#!/usr/bin/env python3
"""Benchmark helper: starts `hookpipe run --config CONFIG` with NOTIFY_SOCKET
pointing at a datagram socket it listens on (as systemd does), and reports
the time from exec to READY=1 — what "ready" means under systemd: the store
is recovered and the listener bound. Then samples the daemon's VmRSS
(/proc/PID/status) every 0.1 s for SAMPLE seconds, sends SIGTERM and waits
(at most 60 s, then SIGKILL). Prints one JSON object:
  {"ready_ms": …, "rss_max_kib": …, "rss_median_kib": …, "samples": n, "exit": code}
Only the daemon's own process is counted, not its stage processes.

  ready_rss.py BINARY CONFIG SAMPLE_SECONDS LOG"""
import json, os, signal, socket, subprocess, sys, tempfile, time

signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still stop the daemon (finally below)
binary, config, sample_seconds, log = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
directory = tempfile.mkdtemp(prefix="hookpipe-notify.")
path = os.path.join(directory, "notify.sock")
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
sock.settimeout(0.1)
env = dict(os.environ, NOTIFY_SOCKET=path)
env.pop("WATCHDOG_USEC", None)
with open(log, "ab") as err:
    start = time.perf_counter()
    daemon = subprocess.Popen([binary, "run", "--config", config], stderr=err, env=env)
ready_ms = None
deadline = start + 60
try:
    while ready_ms is None and time.perf_counter() < deadline and daemon.poll() is None:
        try:
            message = sock.recv(4096).decode(errors="replace")
        except socket.timeout:
            continue
        if "READY=1" in message.split("\n"):
            ready_ms = (time.perf_counter() - start) * 1000
    samples = []
    end = time.perf_counter() + sample_seconds
    while ready_ms is not None and time.perf_counter() < end and daemon.poll() is None:
        try:
            with open(f"/proc/{daemon.pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        samples.append(int(line.split()[1]))
        except FileNotFoundError:
            break
        time.sleep(0.1)
finally:
    if daemon.poll() is None:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(60)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
    sock.close()
    os.unlink(path)
    os.rmdir(directory)
samples.sort()
print(json.dumps({"ready_ms": round(ready_ms, 1) if ready_ms is not None else None,
                  "rss_max_kib": samples[-1] if samples else None,
                  "rss_median_kib": samples[len(samples) // 2] if samples else None,
                  "samples": len(samples), "exit": daemon.returncode}))
