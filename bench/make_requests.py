#!/usr/bin/env python3
"""Writes COUNT uniquely signed requests with 1 KiB JSON bodies, each with
its own id (PREFIX_<index>), signed with Python's hmac module, independently
of hookpipe's code.

  make_requests.py COUNT SECRET OUT [--scheme stripe|webhook] [--prefix P] [--random-ids] [--raw PATH]

--scheme stripe (default): Stripe-Signature "t=<now>,v1=<hex>" over "<t>.<body>".
--scheme webhook: "sha256=<hex>" over the body, as adnanh/webhook's
  payload-hmac-sha256 rule checks it (header X-Signature).
--random-ids: ids like Stripe's, evt_ and 24 random letters and digits,
  instead of PREFIX_<index>. Ids that follow each other in time land next
  to each other in a store's dedupe index; random ones land anywhere in it.
--raw PATH: complete HTTP/1.1 requests to PATH, each as "<length>\\n<bytes>",
  for wrk (bench/signed.lua) and bench/openloop.c.
Without it: one line per request, <signature header value> TAB <body>
  (bench/run.sh cuts one body out of it for bench/parts.c)."""
import argparse, hashlib, hmac, json, random, string, time

parser = argparse.ArgumentParser()
parser.add_argument("count", type=int)
parser.add_argument("secret")
parser.add_argument("out")
parser.add_argument("--scheme", choices=["stripe", "webhook"], default="stripe")
parser.add_argument("--prefix")
parser.add_argument("--random-ids", action="store_true")
parser.add_argument("--raw", metavar="PATH")
args = parser.parse_args()
now = int(time.time())
prefix = args.prefix or f"evt_bench_{now}"
key = args.secret.encode()
header = {"stripe": "Stripe-Signature", "webhook": "X-Signature"}[args.scheme]
alphabet, rng = string.ascii_letters + string.digits, random.Random()
with open(args.out, "wb") as f:
    for i in range(args.count):
        event_id = "evt_" + "".join(rng.choices(alphabet, k=24)) if args.random_ids else f"{prefix}_{i}"
        event = {"id": event_id, "object": "event", "type": "payment_intent.succeeded",
                 "data": {"object": {"id": f"pi_{i}", "amount": 1000 + i, "currency": "usd", "note": ""}}}
        short = len(json.dumps(event, separators=(",", ":")))
        event["data"]["object"]["note"] = "x" * max(0, 1024 - short)  # body of exactly 1 KiB
        body = json.dumps(event, separators=(",", ":")).encode()
        if args.scheme == "stripe":
            signature = f"t={now},v1=" + hmac.new(key, b"%d.%s" % (now, body), hashlib.sha256).hexdigest()
        else:
            signature = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
        if args.raw:
            request = (f"POST {args.raw} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       f"{header}: {signature}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
            f.write(b"%d\n" % len(request) + request)
        else:
            f.write(signature.encode() + b"\t" + body + b"\n")
