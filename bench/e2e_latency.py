#!/usr/bin/env python3
"""Benchmark helper: sends signed Stripe events to 127.0.0.1:PORT at RATE per
second for SECONDS over one keep-alive connection, while a separate process
watches the chain's OUTPUT file. Latency per event = line seen in the output
- request sent. Prints p50 p99 max in microseconds, the count seen and the
count sent.

The watcher is its own process and blocks in inotify (no polling interval,
no GIL shared with the sender), and the sender sleeps rather than spins
between sends, so the harness adds one wake-up to what it measures and does
not take a core from the daemon on a 2-core machine. Both sides stamp with
CLOCK_MONOTONIC (time.perf_counter), which is one clock for all processes."""
import ctypes, hashlib, hmac, http.client, json, os, struct, subprocess, sys, time

IN_MODIFY = 0x2


def watch(output, expected, deadline_seconds):
    """Child: prints 'id monotonic_seconds' per line seen, until `expected` ids or the deadline."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.inotify_init1(0)
    while not os.path.exists(output):
        time.sleep(0.0005)
    if fd < 0 or libc.inotify_add_watch(fd, output.encode(), IN_MODIFY) < 0:
        sys.exit("inotify unavailable")
    print("ready", flush=True)
    seen, buffer, deadline = 0, b"", time.monotonic() + deadline_seconds
    stamps = []
    with open(output, "rb") as f:
        while seen < expected and time.monotonic() < deadline:
            chunk = f.read()
            if not chunk:
                os.read(fd, 4096)  # blocks until the file is written again
                continue
            now = time.perf_counter()
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                stamps.append(f"{json.loads(line)['id']} {now:.9f}")
                seen += 1
    sys.stdout.write("\n".join(stamps) + "\n")


def main():
    port, secret, output, rate, seconds = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
    count = int(rate * seconds)
    open(output, "ab").close()
    watcher = subprocess.Popen([sys.executable, __file__, "--watch", output, str(count), str(seconds + 30)],
                               stdout=subprocess.PIPE, text=True)
    assert watcher.stdout.readline().strip() == "ready"
    conn = http.client.HTTPConnection("127.0.0.1", port)
    sent = {}
    interval, start = 1.0 / rate, time.perf_counter()
    for i in range(count):
        delay = start + i * interval - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        event_id = f"evt_e2e_{start}_{i}"
        body = json.dumps({"id": event_id, "type": "latency", "amount": i, "pad": "x" * 900})
        t = int(time.time())
        sig = hmac.new(secret.encode(), f"{t}.{body}".encode(), hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "Stripe-Signature": f"t={t},v1={sig}"}
        sent[event_id] = time.perf_counter()
        conn.request("POST", "/hooks/stripe", body, headers)
        conn.getresponse().read()
    out, _ = watcher.communicate(timeout=seconds + 60)
    seen = {}
    for line in out.splitlines():
        event_id, stamp = line.split(" ")
        seen.setdefault(event_id, float(stamp))
    latencies = sorted((seen[k] - sent[k]) * 1e6 for k in sent if k in seen)
    if not latencies:
        sys.exit("no event reached the output")
    q = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))]
    print(f"{q(0.5):.0f} {q(0.99):.0f} {latencies[-1]:.0f} {len(latencies)} {len(sent)}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--watch":
        watch(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    else:
        main()
