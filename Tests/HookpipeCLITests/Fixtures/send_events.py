#!/usr/bin/env python3
"""Test fixture: sends COUNT uniquely signed Stripe events to 127.0.0.1:PORT,
retrying each (connection refused while the daemon restarts, 503) until it
is acknowledged or DEADLINE seconds pass. Appends every acknowledged id to
ACKS (one per line, flushed), so a test knows what was promised."""
import hashlib, hmac, http.client, json, sys, time

port, secret, count, acks, deadline = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], time.time() + float(sys.argv[5])
pause = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0
with open(acks, "a") as out:
    for i in range(count):
        body = json.dumps({"id": f"evt_{i}", "type": "test", "n": i})
        while time.time() < deadline:
            t = int(time.time())
            sig = hmac.new(secret.encode(), f"{t}.{body}".encode(), hashlib.sha256).hexdigest()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("POST", "/hooks/stripe", body, {"Content-Type": "application/json", "Stripe-Signature": f"t={t},v1={sig}"})
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status == 200:
                    out.write(f"evt_{i}\n")
                    out.flush()
                    break
            except OSError:
                pass
            time.sleep(0.05)
        time.sleep(pause)
