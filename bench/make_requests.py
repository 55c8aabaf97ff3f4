#!/usr/bin/env python3
"""Writes N uniquely signed Stripe-style requests for wrk, one per line:
<Stripe-Signature value> TAB <body>. Bodies are ~1 KiB JSON with a unique id.
Signed with Python's hmac module, independently of hookpipe's code."""
import hashlib, hmac, json, sys, time

count, secret, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
now = int(time.time())
pad = "x" * 880
with open(out, "w") as f:
    for i in range(count):
        body = json.dumps({"id": f"evt_bench_{now}_{i}", "object": "event", "type": "payment_intent.succeeded",
                           "data": {"object": {"id": f"pi_{i}", "amount": 1000 + i, "currency": "usd", "note": pad}}},
                          separators=(",", ":"))
        sig = hmac.new(secret.encode(), f"{now}.{body}".encode(), hashlib.sha256).hexdigest()
        f.write(f"t={now},v1={sig}\t{body}\n")
