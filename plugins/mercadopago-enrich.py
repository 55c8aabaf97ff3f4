#!/usr/bin/env python3
"""mercadopago-enrich.py — Python 3 (stdlib only): MercadoPago notifications
carry only `type`, `action` and `data.id`. For each `payment` notification
this fetches the full payment,

    GET ${MP_API_BASE}/v1/payments/<data.id>   Authorization: Bearer $MP_ACCESS_TOKEN

and adds it to the event as "mercadopago_payment". Every other event (other
providers, other MercadoPago topics, events without `data.id`) is passed on
untouched. The line is written back byte for byte with the new member
appended: the payload is never re-serialised. Keeps "seq", "mark" and the order.

Failures never crash the stage and never drop the event:
- 5xx, 429, timeouts and connection errors are retried with exponential
  backoff (MP_ATTEMPTS attempts in all); if the last one fails too, the event
  is passed on with "enrich_error": {"status", "message", "attempts",
  "retryable": true} so a later stage can decide.
- 404 and other 4xx answers are not retried: "enrich_error" with
  "retryable": false.
- A line that is not a JSON object is skipped with a message on stderr.
Without MP_ACCESS_TOKEN it exits 2 at once (a configuration error the
supervisor reports), as it would otherwise fail every request.

Environment:
  MP_ACCESS_TOKEN  required; the MercadoPago access token (a secret: pass it
                   through the stage's `environment`, not the command line)
  MP_API_BASE      default https://api.mercadopago.com
  MP_TIMEOUT       seconds per request, default 10
  MP_ATTEMPTS      attempts per payment, default 4
  MP_BACKOFF       first delay in seconds, doubled each retry, default 0.5
  MP_BACKOFF_MAX   delay cap in seconds, default 8

Keep MP_ATTEMPTS x (MP_TIMEOUT + backoff) below the stage's `timeout`.

  [[stage]]
  name = "mp-enrich"
  command = ["python3", "plugins/mercadopago-enrich.py"]
  environment = { MP_ACCESS_TOKEN = "APP_USR-...", MP_TIMEOUT = "5" }
"""
import json
import os
import random
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def log(message):
    print(f"mercadopago-enrich: {message}", file=sys.stderr, flush=True)


def setting(name, default, kind=float):
    try:
        return kind(os.environ.get(name, default))
    except ValueError:
        log(f"{name} is not a number, using {default}")
        return kind(default)


TOKEN = os.environ.get("MP_ACCESS_TOKEN", "")
BASE = os.environ.get("MP_API_BASE", "https://api.mercadopago.com").rstrip("/")
TIMEOUT = setting("MP_TIMEOUT", 10)
ATTEMPTS = max(1, setting("MP_ATTEMPTS", 4, int))
BACKOFF = setting("MP_BACKOFF", 0.5)
BACKOFF_MAX = setting("MP_BACKOFF_MAX", 8)


def payment_id(event):
    """The payment id of a MercadoPago payment notification, else None."""
    verified = event.get("verified") if isinstance(event.get("verified"), dict) else {}
    if verified.get("scheme") != "mercadopago" and "mercadopago" not in str(event.get("source", "")).lower():
        return None
    payload = event.get("payload")
    if not isinstance(payload, dict):
        return None
    topic = payload.get("type") or payload.get("topic")
    action = payload.get("action")
    if topic != "payment" and not (isinstance(action, str) and action.startswith("payment.")):
        return None
    data = payload.get("data")
    value = data.get("id") if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value) == "":
        return None
    return str(value)


def fetch(identifier):
    """("payment", object) or ("error", enrich_error)."""
    url = f"{BASE}/v1/payments/{urllib.parse.quote(identifier, safe='')}"
    request = urllib.request.Request(url, headers={
        "Authorization": f"Bearer {TOKEN}", "Accept": "application/json"})
    delay = BACKOFF
    for attempt in range(1, ATTEMPTS + 1):
        status, message = None, None
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                body = json.loads(response.read())
            if isinstance(body, dict):
                return "payment", body
            status, message, retryable = response.status, "the answer is not a JSON object", False
        except urllib.error.HTTPError as error:
            status, message = error.code, error.reason
            retryable = error.code >= 500 or error.code == 429
        except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError) as error:
            message = str(getattr(error, "reason", error))
            retryable = True
        except ValueError as error:  # a 2xx whose body is not JSON
            message, retryable = f"the answer is not JSON: {error}", True
        log(f"payment {identifier}: attempt {attempt}/{ATTEMPTS} failed: {status or ''} {message}")
        if not retryable or attempt == ATTEMPTS:
            return "error", {"status": status, "message": str(message), "attempts": attempt,
                             "retryable": retryable}
        time.sleep(min(delay, BACKOFF_MAX) * random.uniform(0.8, 1.2))
        delay *= 2
    raise AssertionError("unreachable")


def with_member(line, event, key, value):
    """The original line with `"key": value` appended — the rest byte for byte."""
    if key in event:
        return json.dumps(dict(event, **{key: value}), separators=(",", ":"), ensure_ascii=False)
    encoded = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    body = line.rstrip()[:-1].rstrip()  # without the closing brace
    return f"{body}{',' if event else ''}{json.dumps(key)}:{encoded}}}"


def main():
    if not TOKEN:
        log("MP_ACCESS_TOKEN is not set")
        sys.exit(2)
    for number, raw in enumerate(sys.stdin.buffer, start=1):
        try:
            line = raw.decode("utf-8")
            event = json.loads(line)
        except ValueError as error:
            log(f"skipping line {number}, not JSON: {error}")
            continue
        if not isinstance(event, dict):
            log(f"skipping line {number}, not a JSON object")
            continue
        identifier = payment_id(event)
        if identifier is None:
            out = line.rstrip("\r\n")
        else:
            kind, value = fetch(identifier)
            key = "mercadopago_payment" if kind == "payment" else "enrich_error"
            out = with_member(line, event, key, value)
        sys.stdout.write(out + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
