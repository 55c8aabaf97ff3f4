#!/usr/bin/env python3
"""Durable acks, checked at the system-call level: strace is attached to the
running daemon while COUNT events are sent one after another (each waits for
its 2xx), and the fsync/fdatasync calls are counted. Every acknowledgement
must be preceded by its own sync, so syncs >= acknowledgements.

  proof/fsync_per_ack.py [--count 50] [--binary PATH]     (needs strace and ptrace rights: root)"""
import argparse, http.client, json, os, shutil, signal, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Daemon, Workspace, default_binary, signed_request  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--binary", default=None)
    args = parser.parse_args()
    if not shutil.which("strace"):
        sys.exit("strace is not installed")
    ws = Workspace()
    daemon = Daemon(args.binary or default_binary(), ws)
    trace = os.path.join(ws.dir, "strace.txt")
    tracer = None
    try:
        daemon.wait_listening()
        time.sleep(0.5)  # start-up syncs are over
        tracer = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=fsync,fdatasync", "-o", trace, "-p", str(daemon.process.pid)],
                                  stderr=open(os.path.join(ws.dir, "strace.err"), "w"),
                                  # A test runner may start us with signals blocked; the mask is
                                  # inherited, and strace must see the SIGTERM that ends it.
                                  preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_SETMASK, []))
        time.sleep(1.0)  # attached to every thread
        conn = http.client.HTTPConnection("127.0.0.1", ws.port, timeout=10)
        acked = 0
        for n in range(args.count):
            body, headers = signed_request(f"evt_sync_{n}")
            conn.request("POST", "/hooks/stripe", body, headers)
            response = conn.getresponse()
            response.read()
            acked += 200 <= response.status < 300
        conn.close()
        time.sleep(0.3)
        tracer.send_signal(signal.SIGTERM)
        try:
            tracer.wait(timeout=60)
        except subprocess.TimeoutExpired:
            print(open(os.path.join(ws.dir, "strace.err")).read()[-2000:], file=sys.stderr)
            raise
        with open(trace) as f:
            syncs = sum(1 for line in f if "fsync(" in line or "fdatasync(" in line)
    finally:
        if tracer and tracer.poll() is None:
            tracer.kill()
        daemon.terminate()
        ws.remove()
    result = {"test": "fsync_per_ack", "acknowledged": acked, "syncs": syncs, "ok": acked == args.count and syncs >= acked}
    print(json.dumps(result))
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
