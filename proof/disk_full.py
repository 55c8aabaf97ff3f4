#!/usr/bin/env python3
"""Disk full: the state directory on a small tmpfs that fills up under load.

The receiver must answer 503 with Retry-After (never a 2xx for an event it
could not store), keep serving, and recover by itself once space returns.
Needs root (it mounts a tmpfs). Prints one JSON object; exits 1 on failure.

  proof/disk_full.py [--size-mib 8] [--binary PATH]"""
import argparse, json, os, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Daemon, Sender, Workspace, default_binary, stored_ids  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mib", type=int, default=8)
    parser.add_argument("--binary", default=None)
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("disk_full.py mounts a tmpfs and needs root")
    binary = args.binary or default_binary()
    ws = Workspace(state_directory="full/state")
    mount = os.path.join(ws.dir, "full")
    os.makedirs(mount)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={args.size_mib}m,mode=0700", "tmpfs", mount], check=True)
    result = {"test": "disk_full", "tmpfs_mib": args.size_mib}
    daemon = None
    started = time.time()
    try:
        os.makedirs(ws.state)
        ballast = os.path.join(mount, "ballast")
        with open(ballast, "wb") as f:
            f.write(b"\0" * (2 << 20))
        daemon = Daemon(binary, ws)
        daemon.wait_listening()
        # ~8 KiB events fill the filesystem quickly.
        sender = Sender(ws.port, body_extra=',"padding":"' + "x" * 8000 + '"')
        sender.start()
        deadline = time.time() + 120
        while sender.statuses.get(503, 0) < 20 and time.time() < deadline and daemon.process.poll() is None:
            time.sleep(0.05)
        result["full_after_acks"] = len(sender.acked)
        result["refusals_503"] = sender.statuses.get(503, 0)
        result["alive_while_full"] = daemon.process.poll() is None
        acked_while_full = list(sender.acked)
        # While full, nothing acknowledged may be missing from the store.
        stored = stored_ids(ws.database)
        result["acked_missing_while_full"] = len(set(acked_while_full) - stored)
        # Space returns: the next retry must succeed without any help.
        os.remove(ballast)
        freed_at, recovered_after = time.time(), None
        before = len(sender.acked)
        while time.time() < freed_at + 60 and daemon.process.poll() is None:
            if len(sender.acked) > before:
                recovered_after = time.time() - freed_at
                break
            time.sleep(0.02)
        result["recovered_after_seconds"] = None if recovered_after is None else round(recovered_after, 3)
        acked = sender.stop()
        status, _ = daemon.terminate()
        result["exit_status"] = status
        # Restart on the same filesystem: everything acknowledged is there.
        daemon = Daemon(binary, ws)
        daemon.wait_listening()
        status, _ = daemon.terminate()
        daemon = None
        stored = stored_ids(ws.database)
        result["acknowledged"] = len(acked)
        result["lost"] = len(set(acked) - stored)
        result["statuses"] = {str(k): v for k, v in sorted(sender.statuses.items())}
        result["missing_retry_after"] = sender.missing_retry_after
        other = {k: v for k, v in sender.statuses.items() if k not in (200, 503)}
        result["ok"] = (result["alive_while_full"] and result["refusals_503"] >= 20 and result["acked_missing_while_full"] == 0
                        and recovered_after is not None and result["lost"] == 0 and not other
                        and result["missing_retry_after"] == 0 and result["exit_status"] == 0)
    finally:
        if daemon is not None:
            daemon.process.kill()
            daemon.process.wait()
        subprocess.run(["umount", "-l", mount], check=False)
        ws.remove()
    result["seconds"] = round(time.time() - started, 1)
    print(json.dumps(result, sort_keys=True))
    sys.exit(0 if result.get("ok") else 1)


if __name__ == "__main__":
    main()
