#!/usr/bin/env python3
"""normalize.py — Python 3 (stdlib only): adds one common shape to every event

    "normalized": {"source", "type", "id", "amount", "currency", "status", "occurred_at"}

for MercadoPago, Stripe, GitHub and Shopify webhooks, keeping the whole
envelope (its "seq" and "mark" too). The provider is taken from `verified.scheme`, else from
the `source` name, else from the headers; other events get the envelope's
source, the payload's "type" when it has one, and nulls.

  source       mercadopago | stripe | github | shopify | the envelope's source
  type         MercadoPago `action` (or `type`), Stripe `type`,
               GitHub `<x-github-event>.<action>`, Shopify `x-shopify-topic`
  id           the object the event is about: MercadoPago `data.id`, Stripe
               `data.object.id`, GitHub `<event object>.id`, Shopify `id`
               (always a string; the envelope's own "id" is the event's id)
  amount       a decimal string in major units ("25.99"); Stripe's minor units
               are converted (zero-decimal currencies such as JPY kept as is).
               MercadoPago notifications carry no amount: it is filled in when
               mercadopago-enrich ran earlier in the chain ("mercadopago_payment").
  currency     upper-case ISO code
  status       MercadoPago payment status (enriched only), Stripe object
               `status`, GitHub `action`, Shopify `financial_status`
  occurred_at  when the sender says it happened (ISO 8601), else null

Unknown values are null. The line is written back byte for byte with the new
member appended, so the payload is never re-serialised. A line that is not a
JSON object is skipped with a message on stderr.

Environment: none.

  [[stage]]
  name = "normalize"
  command = ["python3", "plugins/normalize.py"]
"""
import datetime
import decimal
import json
import sys

PROVIDERS = ("mercadopago", "stripe", "github", "shopify")
# Stripe currencies whose amounts are not in hundredths (stripe.com/docs/currencies).
ZERO_DECIMAL = {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG",
                "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}


def provider(event):
    verified = event.get("verified")
    scheme = verified.get("scheme") if isinstance(verified, dict) else None
    if scheme in PROVIDERS:
        return scheme
    source = str(event.get("source") or "").lower()
    for name in PROVIDERS:
        if name in source:
            return name
    headers = headers_of(event)
    if "x-github-event" in headers:
        return "github"
    if "x-shopify-topic" in headers:
        return "shopify"
    return None


def headers_of(event):
    headers = event.get("headers")
    return headers if isinstance(headers, dict) else {}


def obj(value):
    return value if isinstance(value, dict) else {}


def text(value):
    """A scalar as a string (ids may be numbers), anything else as null."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int)):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return None


def decimal_text(value):
    """A JSON number or numeric string as a plain decimal string."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = decimal.Decimal(str(value))
    except decimal.InvalidOperation:
        return None
    return format(number, "f") if number.is_finite() else None


def upper(value):
    return value.upper() if isinstance(value, str) and value else None


def from_unix(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        moment = datetime.datetime.fromtimestamp(value, tz=datetime.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def mercadopago(event, payload):
    payment = obj(event.get("mercadopago_payment"))
    return {
        "type": text(payload.get("action")) or text(payload.get("type")),
        "id": text(obj(payload.get("data")).get("id")),
        "amount": decimal_text(payment.get("transaction_amount")),
        "currency": upper(payment.get("currency_id")),
        "status": text(payment.get("status")),
        "occurred_at": text(payload.get("date_created")),
    }


def stripe(event, payload):
    thing = obj(obj(payload.get("data")).get("object"))
    currency = upper(thing.get("currency"))
    amount = thing.get("amount")
    if isinstance(amount, int) and not isinstance(amount, bool):
        minor = 0 if currency in ZERO_DECIMAL else 2
        amount = format(decimal.Decimal(amount).scaleb(-minor), "f")
    else:
        amount = None
    return {
        "type": text(payload.get("type")),
        "id": text(thing.get("id")),
        "amount": amount,
        "currency": currency,
        "status": text(thing.get("status")),
        "occurred_at": from_unix(payload.get("created")),
    }


def github(event, payload):
    kind = text(headers_of(event).get("x-github-event"))
    action = text(payload.get("action"))
    subject = obj(payload.get(kind)) if kind else {}
    return {
        "type": f"{kind}.{action}" if kind and action else kind,
        "id": text(subject.get("id")),
        "amount": None,
        "currency": None,
        "status": action,
        "occurred_at": text(subject.get("updated_at")) or text(subject.get("created_at")),
    }


def shopify(event, payload):
    return {
        "type": text(headers_of(event).get("x-shopify-topic")),
        "id": text(payload.get("id")),
        "amount": decimal_text(payload.get("total_price")),
        "currency": upper(payload.get("currency")),
        "status": text(payload.get("financial_status")),
        "occurred_at": text(payload.get("updated_at")) or text(payload.get("created_at")),
    }


def other(event, payload):
    return {"type": text(payload.get("type")), "id": None, "amount": None,
            "currency": None, "status": None, "occurred_at": None}


MAPPERS = {"mercadopago": mercadopago, "stripe": stripe, "github": github, "shopify": shopify}


def normalized(event):
    name = provider(event)
    payload = obj(event.get("payload"))
    fields = MAPPERS.get(name, other)(event, payload)
    return {"source": name or text(event.get("source")), **fields}


def with_member(line, event, key, value):
    """The original line with `"key": value` appended — the rest byte for byte."""
    encoded = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if key in event:
        event = dict(event, **{key: value})
        return json.dumps(event, separators=(",", ":"), ensure_ascii=False)
    body = line.rstrip()[:-1].rstrip()  # without the closing brace
    separator = "," if event else ""
    return f"{body}{separator}{json.dumps(key)}:{encoded}}}"


def main():
    for number, raw in enumerate(sys.stdin.buffer, start=1):
        try:
            line = raw.decode("utf-8")
            event = json.loads(line)
        except ValueError as error:  # UnicodeDecodeError is a ValueError too
            print(f"normalize: skipping line {number}, not JSON: {error}", file=sys.stderr, flush=True)
            continue
        if not isinstance(event, dict):
            print(f"normalize: skipping line {number}, not a JSON object", file=sys.stderr, flush=True)
            continue
        sys.stdout.write(with_member(line, event, "normalized", normalized(event)) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
