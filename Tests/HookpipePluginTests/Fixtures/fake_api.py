#!/usr/bin/env python3
"""A loopback stand-in for the MercadoPago API and for a forwarding target,
for the plugin tests. Binds 127.0.0.1 on a free port, prints the port on
stdout, serves until stdin closes.

  GET  /v1/payments/<id>   needs "Authorization: Bearer TEST-TOKEN" (else 401)
       404404              -> 404
       503503              -> 503 on every request
       1319478232          -> 503 on the first request, then the payment
       777                 -> the first request hangs 3 s (a timeout), then the payment
       any other id        -> the payment
  POST /forward            -> 500 on the first request, then 200; bodies recorded
  POST /always-500         -> 500
  POST /reject             -> 422
  GET  /log                -> {"requests": [{"method", "path", "headers", "body"}, ...]}
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
requests = []
counts = {}


def count(key):
    with lock:
        counts[key] = counts.get(key, 0) + 1
        return counts[key]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def record(self, body):
        with lock:
            requests.append({"method": self.command, "path": self.path,
                             "headers": {k.lower(): v for k, v in self.headers.items()},
                             "body": body.decode("utf-8", "replace")})

    def do_GET(self):
        if self.path == "/log":
            with lock:
                return self.answer(200, {"requests": list(requests)})
        self.record(b"")
        prefix = "/v1/payments/"
        if not self.path.startswith(prefix):
            return self.answer(404, {"message": "not found"})
        if self.headers.get("Authorization") != "Bearer TEST-TOKEN":
            return self.answer(401, {"message": "invalid token"})
        identifier = self.path[len(prefix):]
        attempt = count(identifier)
        if identifier == "404404":
            return self.answer(404, {"message": "Payment not found", "error": "not_found", "status": 404})
        if identifier == "503503" or (identifier == "1319478232" and attempt == 1):
            return self.answer(503, {"message": "service unavailable"})
        if identifier == "777" and attempt == 1:
            time.sleep(3)
        self.answer(200, {"id": int(identifier), "status": "approved", "status_detail": "accredited",
                          "transaction_amount": 149.9, "currency_id": "BRL",
                          "date_approved": "2026-11-21T16:15:01.000-04:00"})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.record(body)
        if self.path == "/forward":
            return self.answer(500 if count("forward") == 1 else 200, {})
        if self.path == "/reject":
            return self.answer(422, {"message": "unprocessable"})
        self.answer(500, {})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()
print(server.server_address[1], flush=True)
sys.stdin.read()
