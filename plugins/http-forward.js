#!/usr/bin/env node
// http-forward.js — Node.js (no npm packages): POSTs every event, byte for
// byte, to FORWARD_URL (Content-Type: application/json), one at a time and in
// order, and passes it on unchanged once the server answered 2xx. Keeps "seq" and "mark".
// Each request carries `Idempotency-Key: <source>:<seq>` (or the event's "id"
// when it has no seq) so the receiver can drop the duplicates a re-feed sends.
//
// Failures: 5xx, 408, 429, timeouts and connection errors are retried with
// exponential backoff (FORWARD_ATTEMPTS attempts in all). If the last attempt
// fails — or the server rejects the event with another 4xx — the stage logs
// why and exits with status 1 without passing the event on. The supervisor
// then restarts it (with its own backoff) and feeds it that event again, so
// nothing is lost while the target is down. An event the server always
// rejects makes the stage fail each time it is in flight; after `poison_after`
// such failures the runner's poison isolation moves it to the dead-letter
// store and the rest carries on. Keep FORWARD_ATTEMPTS x (FORWARD_TIMEOUT_MS
// + backoff) below the stage's `timeout`.
// A line that is not a JSON object is skipped with a message on stderr.
//
// Environment:
//   FORWARD_URL             required; http:// or https:// URL to POST to
//   FORWARD_ATTEMPTS        attempts per event, default 5
//   FORWARD_BACKOFF_MS      first delay, doubled each retry, default 500
//   FORWARD_BACKOFF_MAX_MS  delay cap, default 10000
//   FORWARD_TIMEOUT_MS      per request, default 10000
//   FORWARD_AUTHORIZATION   optional Authorization header value (a secret:
//                           set it in the stage's `environment`)
//
//   [[stage]]
//   name = "forward"
//   command = ["node", "plugins/http-forward.js"]
//   environment = { FORWARD_URL = "https://example.com/hooks", FORWARD_ATTEMPTS = "4" }
'use strict';
const readline = require('node:readline');

function log(message) { process.stderr.write(`http-forward: ${message}\n`); }
function number(name, fallback) {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) { log(`${name} is not a number, using ${fallback}`); return fallback; }
  return value;
}

const url = process.env.FORWARD_URL ?? '';
if (!/^https?:\/\//.test(url)) { log('FORWARD_URL is not set to an http(s) URL'); process.exit(2); }
const attempts = Math.max(1, Math.floor(number('FORWARD_ATTEMPTS', 5)));
const backoff = number('FORWARD_BACKOFF_MS', 500);
const backoffMax = number('FORWARD_BACKOFF_MAX_MS', 10000);
const timeout = number('FORWARD_TIMEOUT_MS', 10000);
const authorization = process.env.FORWARD_AUTHORIZATION;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const retryable = (status) => status >= 500 || status === 408 || status === 429;

// Resolves when delivered; rejects with the reason when the event must not be passed on.
async function deliver(line, key) {
  const headers = { 'content-type': 'application/json', 'idempotency-key': key };
  if (authorization) headers.authorization = authorization;
  let delay = backoff;
  for (let attempt = 1; ; attempt++) {
    let reason, again = true;
    try {
      const response = await fetch(url, { method: 'POST', headers, body: line, signal: AbortSignal.timeout(timeout) });
      await response.arrayBuffer().catch(() => {});
      if (response.ok) return;
      reason = `HTTP ${response.status}`;
      again = retryable(response.status);
    } catch (error) {
      reason = error.name === 'TimeoutError' ? `no answer within ${timeout} ms` : String(error.cause?.code ?? error.message);
    }
    log(`${key}: attempt ${attempt}/${attempts} failed: ${reason}`);
    if (!again) throw new Error(`${key}: rejected (${reason}), not retrying`);
    if (attempt >= attempts) throw new Error(`${key}: giving up after ${attempts} attempts (${reason})`);
    await sleep(Math.min(delay, backoffMax) * (0.8 + Math.random() * 0.4));
    delay *= 2;
  }
}

async function main() {
  const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const raw of input) {
    lineNumber++;
    const line = raw.replace(/\r$/, '');
    let event;
    try { event = JSON.parse(line); } catch (error) { event = undefined; }
    if (event === null || typeof event !== 'object' || Array.isArray(event)) {
      log(`skipping line ${lineNumber}, not a JSON object`);
      continue;
    }
    const key = event.seq !== undefined ? `${event.source ?? 'event'}:${event.seq}` : String(event.id ?? `line-${lineNumber}`);
    try {
      await deliver(line, key);
    } catch (error) {
      log(`${error.message}; exiting so the supervisor re-feeds it`);
      process.exit(1);
    }
    process.stdout.write(line + '\n');
  }
}

main().catch((error) => { log(`unexpected: ${error.stack ?? error}`); process.exit(1); });
