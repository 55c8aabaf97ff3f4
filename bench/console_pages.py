#!/usr/bin/env python3
"""bench/console.sh's helper: events to inject, page-load timings of the web
console, and a poller that fetches console pages once a second.

  console_pages.py ndjson COUNT OUT [--poison-every K] [--prefix P]
      COUNT JSON lines of about 1 KiB ("id": P_<n>; every Kth "poison": true)
  console_pages.py time BASE LOADS PATH...
      LOADS loads of each PATH, each on a new connection as a browser's first
      visit, timed from connect to the last byte of the body; prints one line
      per PATH: path, median ms, p95 ms, max ms, statuses, bytes
  console_pages.py poll BASE SECONDS PATH...
      every second, each PATH once (a person's browser tab refreshing),
      for SECONDS; prints fetches, statuses, median and max ms

BASE is http://127.0.0.1:PORT (the admin listener). Loopback only; every
request has a 30 s timeout."""
import http.client, json, statistics, sys, time, urllib.parse


def load(base, path):
    """(seconds, status, bytes) of one GET on a new connection."""
    url = urllib.parse.urlsplit(base)
    start = time.perf_counter()
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request("GET", path, headers={"Accept": "text/html"})
        response = conn.getresponse()
        body = response.read()
        return time.perf_counter() - start, response.status, len(body)
    finally:
        conn.close()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def ndjson(count, out, poison_every, prefix):
    pad = "x" * 900
    with open(out, "w") as f:
        for n in range(count):
            event = {"id": f"{prefix}_{n}", "type": "payment_intent.succeeded", "amount": n, "note": pad}
            if poison_every and n % poison_every == poison_every - 1:
                event["poison"] = True
            f.write(json.dumps(event, separators=(",", ":")) + "\n")


def time_pages(base, loads, paths):
    for path in paths:
        load(base, path)  # one warm-up, as a page open in a tab
        samples = [load(base, path) for _ in range(loads)]
        ms = [s[0] * 1000 for s in samples]
        statuses = ",".join(sorted({str(s[1]) for s in samples}))
        print(f"{path}\t{statistics.median(ms):.1f}\t{percentile(ms, 0.95):.1f}\t{max(ms):.1f}\t{statuses}\t{samples[-1][2]}",
              flush=True)


def poll(base, seconds, paths):
    ms, statuses = [], {}
    deadline = time.monotonic() + seconds
    tick = time.monotonic()
    while tick < deadline:
        for path in paths:
            try:
                took, status, _ = load(base, path)
                ms.append(took * 1000)
            except OSError:
                status = "error"
            statuses[str(status)] = statuses.get(str(status), 0) + 1
        tick += 1.0
        time.sleep(max(0.0, tick - time.monotonic()))
    summary = ",".join(f"{k}x{v}" for k, v in sorted(statuses.items()))
    median = f"{statistics.median(ms):.1f}" if ms else "n/a"
    print(f"{len(ms)}\t{summary}\t{median}\t{max(ms) if ms else 0:.1f}", flush=True)


def main(argv):
    command = argv[1] if len(argv) > 1 else ""
    if command == "ndjson" and len(argv) >= 4:
        options = dict(zip(argv[4::2], argv[5::2]))
        ndjson(int(argv[2]), argv[3], int(options.get("--poison-every", 0)), options.get("--prefix", "evt_console"))
    elif command == "time" and len(argv) >= 5:
        time_pages(argv[2], int(argv[3]), argv[4:])
    elif command == "poll" and len(argv) >= 5:
        poll(argv[2], float(argv[3]), argv[4:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
