#!/usr/bin/env python3
"""Writes the signed seeds of Fuzz/Corpus/FuzzSignatureHeaders/.

Signatures are computed here, as each provider documents them, with the
secrets hard-coded in Fuzz/FuzzSignatureHeaders/main.swift, at the harness's
clock (1700000000). Rerun after changing those secrets:
    python3 Fuzz/Corpus/make-signature-seeds.py
"""
import base64, hashlib, hmac, os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "FuzzSignatureHeaders")
TS = "1700000000"


def mac(key, message, digest=hashlib.sha256):
    return hmac.new(key if isinstance(key, bytes) else key.encode(), message.encode(), digest)


def seed(name, scheme, headers, body, query=()):
    lines = [scheme] + [f"{k}: {v}" for k, v in headers] + [f"?{k}={v}" for k, v in query]
    with open(os.path.join(OUT, name), "w") as f:
        f.write("\n".join(lines) + "\n\n" + body)


stripe_body = '{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","object":"event","api_version":"2023-10-16","type":"payment_intent.succeeded","data":{"object":{"id":"pi_3NG8Dt2eZvKYlo2C1ZqJ0mE4","amount":2000,"currency":"usd"}}}'
v1 = mac("whsec_fuzzStripeCurrentSecret0001", f"{TS}.{stripe_body}").hexdigest()
v1_old = mac("whsec_fuzzStripePreviousSecret002", f"{TS}.{stripe_body}").hexdigest()
seed("stripe-valid", "stripe", [("Stripe-Signature", f"t={TS},v1={v1}")], stripe_body)
seed("stripe-rotation", "stripe", [("Stripe-Signature", f"t={TS},v1={'0' * 64},v1={v1_old},v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39")], stripe_body)

mp_body = '{"action":"payment.updated","api_version":"v1","data":{"id":"123456"},"date_created":"2021-11-01T02:02:02Z","id":"123456","live_mode":false,"type":"payment","user_id":2025701502}'
request_id = "bb56a2f1-6aae-46ac-982e-9dcd3581d08e"
mp = mac("mp-fuzz-secret-current", f"id:123456;request-id:{request_id};ts:{TS};").hexdigest()
seed("mercadopago-valid", "mercadopago", [("x-signature", f"ts={TS},v1={mp}"), ("x-request-id", request_id)], mp_body, [("data.id", "123456"), ("type", "payment")])
mp_ms = mac("mp-fuzz-secret-previous", f"id:abc123xyz;ts:{TS}123;").hexdigest()
seed("mercadopago-ms-uppercase-id", "mercadopago", [("x-signature", f"ts={TS}123, v1={mp_ms}")], mp_body, [("data.id", "ABC123XYZ")])

sw_key = base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
sw_body = '{"type":"invoice.paid","timestamp":"2023-11-14T22:13:20Z","data":{"id":"inv_2KWPBgLlAfxdpx2AI54pPJ85f4W","amount":1999}}'
msg = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
sig = base64.b64encode(mac(sw_key, f"{msg}.{TS}.{sw_body}").digest()).decode()
seed("standard-webhooks-valid", "standard-webhooks", [("webhook-id", msg), ("webhook-timestamp", TS), ("webhook-signature", f"v1a,ignored v1,{'A' * 43}= v1,{sig}")], sw_body)
seed("standard-webhooks-svix", "standard-webhooks", [("svix-id", msg), ("svix-timestamp", TS), ("svix-signature", f"v1,{sig}")], sw_body)

gh_body = '{"ref":"refs/heads/main","before":"0000000000000000000000000000000000000000","repository":{"id":1296269,"full_name":"octocat/Hello-World"},"pusher":{"name":"octocat"}}'
seed("github-valid", "github", [("X-GitHub-Event", "push"), ("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"), ("X-Hub-Signature-256", "sha256=" + mac("gh-fuzz-secret-current", gh_body).hexdigest())], gh_body)

shop_body = '{"id":820982911946154508,"email":"jon@example.com","total_price":"403.00","currency":"USD","financial_status":"paid"}'
seed("shopify-valid", "shopify", [("X-Shopify-Topic", "orders/paid"), ("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"), ("X-Shopify-Hmac-Sha256", base64.b64encode(mac("shpss_fuzzPreviousSecret", shop_body).digest()).decode())], shop_body)

slack_body = '{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","type":"event_callback","event_id":"Ev9UQ52YNA","event":{"type":"app_mention","text":"<@U0LAN0Z89> hi"}}'
seed("slack-valid", "slack", [("X-Slack-Request-Timestamp", TS), ("X-Slack-Signature", "v0=" + mac("slack-fuzz-signing-current", f"v0:{TS}:{slack_body}").hexdigest())], slack_body)

meta_body = '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp"}}]}]}'
seed("meta-valid", "meta", [("X-Hub-Signature-256", "sha256=" + mac("meta-fuzz-app-secret-current", meta_body).hexdigest())], meta_body)

tn_body = '{"store_id":123456,"event":"order/paid","id":987654321}'
seed("tiendanube-uppercase", "tiendanube", [("x-linkedstore-hmac-sha256", mac("tn-fuzz-app-secret-current", tn_body).hexdigest().upper())], tn_body)

hm_body = '{"event":"order.created","id":"ord_42"}'
seed("hmac-timestamp", "hmac", [("X-Timestamp", TS), ("X-Signature", "sha256=" + mac("hmac-fuzz-secret-current", f"{TS}.{hm_body}").hexdigest())], hm_body)
seed("hmac-sha1-base64", "hmac-sha1-base64", [("X-Hook-Signature", base64.b64encode(mac("hmac1-fuzz-secret-current", hm_body, hashlib.sha1).digest()).decode())], hm_body)
seed("hmac-sha512", "hmac-sha512", [("X-Signature-512", "v1=" + mac("hmac512-fuzz-secret-previous", hm_body, hashlib.sha512).hexdigest())], hm_body)
seed("none", "none", [("Content-Type", "application/json")], '{"resource":"/orders/2000003508","topic":"orders_v2","user_id":123456789}')

# Malformed headers, each a 401 and never a trap.
seed("stripe-malformed", "stripe", [("Stripe-Signature", " t=17000000000000000000000 , ,v1=zz,v1=")], "{}")
seed("stripe-duplicate-t", "stripe", [("Stripe-Signature", f"t={TS},t={TS},v1={v1}")], stripe_body)
seed("mercadopago-no-v1", "mercadopago", [("x-signature", "ts=1700000000,\tv2=abc"), ("x-request-id", "")], mp_body, [("data.id", "")])
seed("standard-webhooks-bad-base64", "standard-webhooks", [("webhook-id", msg), ("webhook-timestamp", TS), ("webhook-signature", "v1,=== ,v1 v1,@@@@")], sw_body)
seed("standard-webhooks-negative-ts", "standard-webhooks", [("webhook-id", msg), ("webhook-timestamp", "-1"), ("webhook-signature", f"v1,{sig}")], sw_body)
seed("github-wrong-prefix", "github", [("X-Hub-Signature-256", "SHA256=" + "g" * 64)], gh_body)
seed("slack-old-timestamp", "slack", [("X-Slack-Request-Timestamp", "1"), ("X-Slack-Signature", "v0=" + "0" * 64)], slack_body)
