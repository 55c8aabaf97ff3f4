#!/usr/bin/env python3
"""Bad input corpus against the real daemon over raw loopback sockets.

Every case is sent as raw bytes and gets its documented answer (an HTTP
status, or the connection closed without one). Afterwards the daemon must
still be serving and the store must hold exactly the events of the cases
documented as stored (valid requests in odd shapes), nothing else.

Prints one JSON object with every case's expected and actual answer;
exits 1 on any mismatch.   proof/bad_input.py [--binary PATH] [--markdown]"""
import argparse, base64, hashlib, hmac, json, os, select, socket, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import SECRET, Daemon, Workspace, default_binary, stored_ids  # noqa: E402

OLD_SECRET = "whsec_proof_old_" + os.urandom(4).hex()
SW_KEY = os.urandom(24)
SW_SECRET = "whsec_" + base64.b64encode(SW_KEY).decode()

EXTRA = f"""
[[source]]
name = "rotated"
path = "/hooks/rotated"
scheme = "stripe"
secrets = ["file:stripe.secret", "file:old.secret"]

[[source]]
name = "sw"
path = "/hooks/sw"
scheme = "standard-webhooks"
secrets = ["file:sw.secret"]
"""


def stripe_sig(body, t=None, secret=SECRET):
    t = int(time.time()) if t is None else t
    return t, hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()


def stripe(body, header=None, path="/hooks/stripe", method="POST", extra=b"", secret=SECRET):
    if isinstance(body, str):
        body = body.encode()
    if header is None:
        t, sig = stripe_sig(body, secret=secret)
        header = f"t={t},v1={sig}"
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nStripe-Signature: {header}\r\n").encode()
    return head + extra + b"\r\n" + body


def sw(body, mutate=None, msg_id=None):
    body = body.encode()
    msg_id, t = msg_id or "msg_" + os.urandom(6).hex(), int(time.time())
    sig = base64.b64encode(hmac.new(SW_KEY, f"{msg_id}.{t}.".encode() + body, hashlib.sha256).digest()).decode()
    headers = {"webhook-id": msg_id, "webhook-timestamp": str(t), "webhook-signature": f"v1,{sig}"}
    if mutate:
        mutate(headers)
    head = "POST /hooks/sw HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    head += f"Content-Length: {len(body)}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return head.encode() + b"\r\n" + body


def now():
    return int(time.time())


def cases():
    ok = '{"id":"evt_%s","type":"t"}'
    t = now()
    body = b'{"id":"evt_sig","type":"t"}'
    _, good = stripe_sig(body)
    deep = "[" * 100_000 + "]" * 100_000
    yield "json: truncated", stripe('{"id":"evt_a",'), 400
    yield "json: trailing garbage", stripe('{"id":"evt_b"} xyz'), 400
    yield "json: invalid UTF-8", stripe(b'{"id":"evt_c","s":"\xff\xfe"}'), 400
    yield "json: raw NUL byte in a string", stripe(b'{"id":"evt_d","s":"a\x00b"}'), 400
    yield "json: nesting 100,000 deep", stripe(deep), 400
    yield "json: duplicate keys", stripe('{"id":"evt_e","id":"evt_f"}'), 400
    array = b'[1,2,3]'
    yield "json: an array, not an object (valid JSON: stored, keyed by its hash)", stripe(array), (200, "sha256:" + hashlib.sha256(array).hexdigest())
    yield "json: empty body", stripe(""), 400
    yield "json: number beyond 64 bits (valid JSON: stored, bytes kept)", stripe('{"id":"evt_big","n":123456789012345678901234567890}'), (200, "evt_big")
    yield "json: \\u0000 escape (valid JSON: stored)", stripe('{"id":"evt_nul","s":"a\\u0000b"}'), (200, "evt_nul")
    yield "size: body over max_body_bytes", stripe('{"id":"evt_g","p":"' + "x" * (300 << 10) + '"}'), 413
    yield "headers: 2,000 header fields", stripe(ok % "h", extra=b"".join(b"X-Flood-%d: y\r\n" % i for i in range(2000))), 431
    yield "headers: one 64 KiB header line", stripe(ok % "i", extra=b"X-Long: " + b"a" * (64 << 10) + b"\r\n"), 431
    yield "http: Content-Length and Transfer-Encoding both", (
        b"POST /hooks/stripe HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 400
    chunk_body = b'{"id":"evt_chunk"}'
    t2, sig2 = stripe_sig(chunk_body)
    yield "http: chunk size larger than the data, then end", (
        b"POST /hooks/stripe HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nStripe-Signature: t=%d,v1=%s\r\n\r\n" % (t2, sig2.encode())
        + b"40\r\n" + chunk_body + b"\r\n0\r\n\r\n"), ("closed", 408)
    yield "http: chunk size that is not hex", (
        b"POST /hooks/stripe HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"), 400
    yield "http: GET on a hook path", b"GET /hooks/stripe HTTP/1.1\r\nHost: x\r\n\r\n", 405
    yield "http: PUT on a hook path", stripe(ok % "put", method="PUT"), 405
    yield "http: unknown path", stripe(ok % "j", path="/hooks/nope"), 404
    yield "http: garbage request line", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n", 400
    yield "signature: header missing", stripe(ok % "k", header="").replace(b"Stripe-Signature: \r\n", b""), 401
    yield "signature: only t=", stripe(ok % "l", header=f"t={t}"), 401
    yield "signature: only v1=", stripe(body, header=f"v1={good}"), 401
    yield "signature: extra commas", stripe(body, header=f"t={t},,v1={good},"), 401
    yield "signature: t=abc", stripe(body, header=f"t=abc,v1={good}"), 401
    ms, ms_sig = stripe_sig(body, t=t * 1000)
    yield "signature: milliseconds instead of seconds", stripe(body, header=f"t={ms},v1={ms_sig}"), 401
    old_t, old_sig = stripe_sig(body, t=t - 3600)
    yield "signature: stale timestamp (1 h old)", stripe(body, header=f"t={old_t},v1={old_sig}"), 401
    future_t, future_sig = stripe_sig(body, t=t + 3600)
    yield "signature: future timestamp (1 h ahead)", stripe(body, header=f"t={future_t},v1={future_sig}"), 401
    yield "signature: wrong secret", stripe(ok % "m", secret="whsec_wrong"), 401
    yield "signature: uppercase hex digest (same digest: stored)", stripe(body, header=f"t={t},v1={good.upper()}"), (200, "evt_sig")
    yield "signature: V1= instead of v1=", stripe(body, header=f"t={t},V1={good}"), 401
    yield "signature: body changed after signing", stripe(b'{"id":"evt_sig","type":"u"}', header=f"t={t},v1={good}"), 401
    yield "signature: rotated secret (old one still configured: stored)", stripe(ok % "rot", path="/hooks/rotated", secret=OLD_SECRET), (200, "evt_rot")
    yield "signature: bad base64 (Standard Webhooks)", sw(ok % "n", lambda h: h.update({"webhook-signature": "v1,!!!not-base64!!!"})), 401
    yield "signature: missing version prefix (Standard Webhooks)", sw(ok % "o", lambda h: h.update({"webhook-signature": h["webhook-signature"][3:]})), 401
    yield "signature: timestamp not a number (Standard Webhooks)", sw(ok % "p", lambda h: h.update({"webhook-timestamp": "12ab"})), 401
    yield "signature: valid (Standard Webhooks: stored under its webhook-id)", sw(ok % "sw", msg_id="msg_proof_valid"), (200, "msg_proof_valid")


def exchange(port, data, timeout=10, trickle=False):
    """Sends `data`, returns the status of the first response or 'closed'."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            if trickle:
                for byte in data:
                    s.sendall(bytes([byte]))
                    if select.select([s], [], [], 0.2)[0]:
                        break  # answered (or closed) before the request was complete
            else:
                s.sendall(data)
                s.shutdown(socket.SHUT_WR) if data.endswith(b"0\r\n\r\n") and b"40\r\n" in data else None
        except OSError:
            pass
        buf = b""
        try:
            while b"\r\n" not in buf:
                chunk = s.recv(4096)
                if not chunk:
                    break
                buf += chunk
        except OSError:
            pass
    if not buf.startswith(b"HTTP/1.1 "):
        return "closed"
    return int(buf[9:12])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=None)
    parser.add_argument("--markdown", action="store_true", help="also print the corpus as a Markdown table")
    args = parser.parse_args()
    ws = Workspace(server_extra='max_body_bytes = 262144\nrequest_timeout = "2s"', chain=EXTRA, max_connections=64)
    for name, value in (("old.secret", OLD_SECRET), ("sw.secret", SW_SECRET)):
        with open(os.path.join(ws.dir, name), "w") as f:
            f.write(value)
    daemon = Daemon(args.binary or default_binary(), ws)
    results, failures, expected_stored = [], [], set()
    try:
        daemon.wait_listening()
        for name, data, expected in cases():
            stores = None
            if isinstance(expected, tuple) and isinstance(expected[1], str):
                expected, stores = expected
                expected_stored.add(stores)
            allowed = expected if isinstance(expected, tuple) else (expected,)
            actual = exchange(ws.port, data)
            results.append({"case": name, "expected": "/".join(map(str, allowed)), "actual": actual})
            if actual not in allowed:
                failures.append(name)
        # Slow client: one byte every 200 ms against a 2 s request_timeout.
        actual = exchange(ws.port, stripe('{"id":"evt_slow"}'), timeout=30, trickle=True)
        results.append({"case": "slow client trickling one byte every 200 ms", "expected": "408/closed", "actual": actual})
        if actual not in (408, "closed"):
            failures.append("slow client")
        # Too many connections: 100 idle sockets against max_connections = 64, then a valid request.
        idle = []
        for _ in range(100):
            try:
                idle.append(socket.create_connection(("127.0.0.1", ws.port), timeout=2))
            except OSError:
                break
        time.sleep(0.3)
        # Closed to make room (the oldest idle ones first): readable at once, with end of file (or a reset).
        refused = 0
        readable, _, _ = select.select(idle, [], [], 1.0)
        for s in readable:
            try:
                if s.recv(1) == b"":
                    refused += 1
            except OSError:
                refused += 1
        for s in idle:
            s.close()
        time.sleep(0.3)
        results.append({"case": "100 connections against max_connections = 64", "expected": ">= 36 closed (oldest idle first)",
                        "actual": f"{refused} closed"})
        if refused < 36:
            failures.append("too many connections")
        # Still serving, and nothing bad was stored.
        control = exchange(ws.port, stripe('{"id":"evt_control","type":"t"}'))
        expected_stored.add("evt_control")
        alive = daemon.process.poll() is None and control == 200
        stored = stored_ids(ws.database)
    finally:
        status, _ = daemon.terminate()
        ws.remove()
    unexpected = sorted(stored - expected_stored)
    missing = sorted(expected_stored - stored)
    summary = {"cases": len(results), "mismatches": failures, "alive_after": alive, "exit_status": status,
               "stored_unexpected": unexpected, "stored_missing": missing, "results": results}
    print(json.dumps(summary))
    if args.markdown:
        print("\n| case | documented | observed |\n|---|---|---|")
        for r in results:
            print(f"| {r['case']} | {r['expected']} | {r['actual']} |")
    sys.exit(0 if not failures and alive and not unexpected and not missing and status == 0 else 1)


if __name__ == "__main__":
    main()
