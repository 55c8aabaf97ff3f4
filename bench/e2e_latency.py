#!/usr/bin/env python3
"""Benchmark helper: sends signed Stripe events to 127.0.0.1:PORT at RATE per
second for SECONDS over one keep-alive connection, while a thread tails the
chain's OUTPUT file. Latency per event = line seen in the output − request
sent. Prints p50 p99 max in microseconds and the count."""
import hashlib, hmac, http.client, json, os, sys, threading, time

port, secret, output, rate, seconds = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
sent, seen = {}, {}
done = threading.Event()

def tail():
    while not os.path.exists(output):
        time.sleep(0.001)
    with open(output) as f:
        buffer = ""
        while not (done.is_set() and len(seen) >= len(sent)):
            chunk = f.read()
            if not chunk:
                time.sleep(0.0002)
                continue
            now = time.perf_counter()
            buffer += chunk
            *lines, buffer = buffer.split("\n")
            for line in lines:
                seen.setdefault(json.loads(line)["id"], now)

reader = threading.Thread(target=tail, daemon=True)
reader.start()
conn = http.client.HTTPConnection("127.0.0.1", port)
interval, start = 1.0 / rate, time.perf_counter()
for i in range(int(rate * seconds)):
    target = start + i * interval
    while time.perf_counter() < target:
        pass
    body = json.dumps({"id": f"evt_e2e_{start}_{i}", "type": "latency", "amount": i, "pad": "x" * 900})
    t = int(time.time())
    sig = hmac.new(secret.encode(), f"{t}.{body}".encode(), hashlib.sha256).hexdigest()
    event_id = json.loads(body)["id"]
    sent[event_id] = time.perf_counter()
    conn.request("POST", "/hooks/stripe", body, {"Content-Type": "application/json", "Stripe-Signature": f"t={t},v1={sig}"})
    response = conn.getresponse()
    response.read()
done.set()
reader.join(timeout=30)
latencies = sorted((seen[k] - sent[k]) * 1e6 for k in sent if k in seen)
q = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))]
print(f"{q(0.5):.0f} {q(0.99):.0f} {latencies[-1]:.0f} {len(latencies)} {len(sent)}")
