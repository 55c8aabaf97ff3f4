#!/usr/bin/env python3
"""Three hookpipe nodes on one scratch PostgreSQL, under signed load through
all three and under faults (issue 25): the multi-node fault proof.

  proof/cluster.py faults   [--cycles N]   N SIGKILLs (default 20), half of them of
                                           the chain holder, the rest of receivers;
                                           plus the holder SIGSTOPped past its lease
                                           and continued (--pauses), its database
                                           sessions terminated (--terminations), and
                                           it partitioned from everything (--partitions,
                                           network namespaces only)
  proof/cluster.py failover [--cycles N]   N trials (default 20): SIGKILL the holder,
                                           time until the first event comes out of the
                                           new holder; p50 and max against lease_ttl + 1 s
  proof/cluster.py selfcheck               the feeding checks on made-up logs (a stale
                                           holder must be caught); no daemon, no database

The nodes: each daemon runs in a network namespace of its own (hpc-n1..3),
joined to a bridge (hpc-br0) in the root namespace by a veth pair, with
addresses in 198.18.0.0/24 (RFC 2544's range for benchmark tests, never
routed; nothing outside these namespaces and the bridge has them). The
scratch PostgreSQL (scripts/pg-scratch.sh with PG_SCRATCH_LISTEN_ALSO) also
listens on the bridge's 198.18.0.1, so a partition is `ip link set hpc-vN
down` on the node's end of the bridge: the node reaches neither the database
nor the senders. Where namespaces cannot be made, the nodes share loopback
on three ports and there is no partition. Leftover hpc-* namespaces and links
are removed at start; ours on every exit.

Each node's chain is `feed` (a Python pass-through that first appends
`<node> <daemon pid> <stage pid> <CLOCK_MONOTONIC ns> <wall ns> <id>` to one
shared log, one O_APPEND write per line) -> `delay` (faults only: each line
leaves 0.1 s after it came, so that every fault finds lines in flight;
--stage-delay) -> `cat`, into the node's own out.ndjson. [store] lease_ttl is
--lease-ttl (default 2 s), operation_timeout 2 s, pool_size 4; [chain]
max_in_flight 256, checkpoint_interval 50 ms. Load: three senders, each
round-robin over the three nodes, every id retried (on the next node) until
a 2xx. The holder's sessions are terminated by client_addr (its namespace's
address; on loopback by the daemon's client ports, from ss): that node's
only.

Checks, from what the processes wrote (not from the daemon's opinion):
  - every acknowledged id is in the union of the nodes' outputs or in
    hookpipe.dead_letters; no output line is torn;
  - duplicates (output lines beyond one per id) are at most the bound printed
    with them. A new term re-feeds from the checkpoint, so a handover
    duplicates what the old term wrote after its last saved checkpoint: lines
    already in its chain (at most max_in_flight), plus what it fed after
    that save while it still trusted the lease (at most lease_ttl, when
    saves fail). Per handover: max_in_flight + rate x (lease_ttl +
    checkpoint_interval), with the peak ack rate (1 s windows) standing in
    for the chain's rate. A catch-up right after a handover can run faster
    than that, so the bound is an estimate, not a theorem; the run also
    prints the most ids any one handover fed twice;
  - lease terms come from the daemons' `chain lease acquired` lines (epoch,
    pid, time); each feed-log line belongs to its daemon's latest term begun
    before it; no two terms' feeding intervals (first to last line fed)
    overlap, and no term feeds after the next epoch was acquired; epochs are
    unique, increase, and the lease row ends at the last one;
  - after the holder was SIGSTOPped past its lease (or partitioned), the
    bytes its output file grew after another node acquired the lease, and
    the lines its stage was fed after that: reported, and a violation when
    not zero (a line that was in its pipes may be written only before);
  - hookpipe.event_seq: every stored event numbered once, densely from 1.

Prints one JSON object; exits 1 on any violation (listed in "violations").
Every wait and loop is bounded in time."""
import argparse, datetime, fcntl, hashlib, http.client, json, math, os, random, re, shutil, signal, statistics, subprocess, sys, \
    tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Daemon, PgScratch, Workspace, default_binary, signed_request  # noqa: E402

PREFIX = "hpc"
SUBNET = "198.18.0"
NODES = 3
MAX_IN_FLIGHT = 256
CHECKPOINT_INTERVAL = 0.05
OPERATION_TIMEOUT = 2.0

FEED_PY = r"""import json, os, sys, time
node, log = sys.argv[1], sys.argv[2]
daemon = os.getppid()  # read at start: a line read after the daemon died still names it
me = os.getpid()
fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
out = sys.stdout.buffer
for line in sys.stdin.buffer:
    try:
        event_id = json.loads(line)["id"]
    except (ValueError, KeyError, TypeError):
        event_id = "-"
    os.write(fd, b"%s %d %d %d %d %s\n" % (node.encode(), daemon, me, time.monotonic_ns(), time.time_ns(),
                                           str(event_id).encode()))
    out.write(line)
    out.flush()
"""

# A handler with latency: each line goes out `delay` seconds after it came in,
# in order, however many are waiting. It keeps lines in the chain, so that a
# fault always finds some in flight.
DELAY_PY = r"""import sys, threading, time, collections
delay = float(sys.argv[1])
queue, cond = collections.deque(), threading.Condition()


def writer():
    out = sys.stdout.buffer
    while True:
        with cond:
            while not queue:
                cond.wait()
            due, line = queue[0]
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
            continue
        with cond:
            queue.popleft()
        if line is None:
            return
        out.write(line)
        if not queue:
            out.flush()


thread = threading.Thread(target=writer)
thread.start()
for line in sys.stdin.buffer:
    with cond:
        queue.append((time.monotonic() + delay, line))
        cond.notify()
with cond:
    queue.append((time.monotonic() + delay, None))
    cond.notify()
thread.join()
sys.stdout.buffer.flush()
"""

DELAY_STAGE = """
[[stage]]
name = "delay"
command = ["python3", "-u", "{delay_py}", "{delay}"]
backoff_min = "10ms"
backoff_max = "200ms"
"""

CHAIN = """
[chain]
output = "file:out.ndjson"
max_in_flight = {max_in_flight}
checkpoint_interval = "{checkpoint_ms}ms"
flush_after = "300ms"
drain_timeout = "5s"

[[stage]]
name = "feed"
command = ["python3", "-u", "{feed_py}", "{node}", "{feed_log}"]
backoff_min = "10ms"
backoff_max = "200ms"

{delay_stage}
[[stage]]
name = "cat"
command = ["cat"]
backoff_min = "10ms"
backoff_max = "200ms"
"""


def run(*cmd, check=True):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=check, stdin=subprocess.DEVNULL)


def log(message):
    print(f"[cluster {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the network ------------------------------------------------------------

class Network:
    """A bridge in the root namespace (the database's side) and one namespace
    per node, each joined to it by a veth pair whose root end is hpc-vN."""

    bridge = f"{PREFIX}-br0"
    server_address = f"{SUBNET}.1"

    @staticmethod
    def namespace(i):
        return f"{PREFIX}-n{i}"

    @staticmethod
    def veth(i):
        return f"{PREFIX}-v{i}"

    @staticmethod
    def address(i):
        return f"{SUBNET}.{10 + i}"

    @staticmethod
    def clean_leftovers():
        """Removes hpc-* namespaces and links an earlier run left (a run that
        was SIGKILLed cannot clean up); processes still inside such a
        namespace are daemons of that run and are killed by pid."""
        removed = []
        listing = run("ip", "netns", "list", check=False).stdout
        for name in (line.split()[0] for line in listing.splitlines() if line.strip()):
            if not name.startswith(PREFIX + "-"):
                continue
            for pid in run("ip", "netns", "pids", name, check=False).stdout.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            run("ip", "netns", "del", name, check=False)
            removed.append(name)
        for line in run("ip", "-o", "link", "show", check=False).stdout.splitlines():
            name = line.split(":")[1].strip().split("@")[0] if ":" in line else ""
            if name.startswith(PREFIX + "-"):
                run("ip", "link", "del", name, check=False)
                removed.append(name)
        return removed

    @staticmethod
    def available():
        probe = f"{PREFIX}-probe"
        if run("ip", "netns", "add", probe, check=False).returncode != 0:
            return False
        run("ip", "netns", "del", probe, check=False)
        return True

    def up(self, nodes):
        run("ip", "link", "add", self.bridge, "type", "bridge")
        run("ip", "addr", "add", f"{self.server_address}/24", "dev", self.bridge)
        run("ip", "link", "set", self.bridge, "up")
        for i in range(1, nodes + 1):
            ns, veth = self.namespace(i), self.veth(i)
            run("ip", "netns", "add", ns)
            run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns)
            run("ip", "link", "set", veth, "master", self.bridge, "up")
            run("ip", "-n", ns, "addr", "add", f"{self.address(i)}/24", "dev", "eth0")
            run("ip", "-n", ns, "link", "set", "eth0", "up")
            run("ip", "-n", ns, "link", "set", "lo", "up")

    def cut(self, i):
        run("ip", "link", "set", self.veth(i), "down")

    def heal(self, i):
        run("ip", "link", "set", self.veth(i), "up")

    def wrapper(self, i):
        return ("ip", "netns", "exec", self.namespace(i))

    def down(self):
        self.clean_leftovers()


# --- the nodes --------------------------------------------------------------

class Node:
    """One hookpipe node: its workspace (config, state, out.ndjson, daemon.log,
    appended to across restarts) and its current daemon process."""

    def __init__(self, i, binary, pg, url, network, feed_py, feed_log, lease_ttl, delay_py, delay):
        self.index, self.name, self.binary, self.network = i, f"n{i}", binary, network
        delay_stage = DELAY_STAGE.format(delay_py=delay_py, delay=delay) if delay > 0 else ""
        chain = CHAIN.format(max_in_flight=MAX_IN_FLIGHT, checkpoint_ms=int(CHECKPOINT_INTERVAL * 1000),
                             feed_py=feed_py, node=self.name, feed_log=feed_log, delay_stage=delay_stage)
        store = (f'pool_size = 4\nconnect_timeout = "5s"\noperation_timeout = "{int(OPERATION_TIMEOUT)}s"\n'
                 f'lease_ttl = "{int(lease_ttl * 1000)}ms"\n')
        self.ws = Workspace(chain=chain, postgres=pg, host=network.address(i) if network else "127.0.0.1",
                            store_extra=store)
        self.ws.env["HOOKPIPE_DATABASE_URL"] = url
        self.daemon = None
        self.stopped = False  # SIGSTOPped by us
        self.processes = []   # {"pid", "started", "ended", "how"}

    def start(self, wait=True):
        if self.daemon is not None:
            self.daemon.log.close()
        self.daemon = Daemon(self.binary, self.ws, wrapper=self.network.wrapper(self.index) if self.network else ())
        self.processes.append({"pid": self.daemon.process.pid, "started": time.time(), "ended": None, "how": None})
        if wait:
            self.daemon.wait_listening()

    @property
    def pid(self):
        return self.daemon.process.pid if self.daemon else None

    def alive(self):
        return self.daemon is not None and self.daemon.process.poll() is None

    def _ended(self, how):
        self.processes[-1].update(ended=time.time(), how=how)

    def kill(self):
        if self.stopped:
            self.cont()
        self.daemon.process.send_signal(signal.SIGKILL)
        self.daemon.process.wait(timeout=30)
        self._ended("SIGKILL")

    def stop(self):
        os.kill(self.pid, signal.SIGSTOP)
        self.stopped = True

    def cont(self):
        os.kill(self.pid, signal.SIGCONT)
        self.stopped = False

    def all_threads_stopped(self):
        try:
            for tid in os.listdir(f"/proc/{self.pid}/task"):
                with open(f"/proc/{self.pid}/task/{tid}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[0] not in ("T", "t"):
                        return False
            return True
        except OSError:
            return False

    def terminate(self, timeout=60):
        if self.stopped:
            self.cont()
        status, seconds = self.daemon.terminate(timeout=timeout)
        self._ended("SIGTERM")
        return status, seconds

    def output_size(self):
        try:
            return os.path.getsize(self.ws.output)
        except OSError:
            return 0

    def read_output(self, start=0, end=None):
        try:
            with open(self.ws.output, "rb") as f:
                f.seek(start)
                return f.read() if end is None else f.read(max(0, end - start))
        except OSError:
            return b""


def output_ids(data):
    """(ids, torn) of NDJSON bytes: ids with repetitions, and lines that are
    not whole JSON objects (a last line without its newline counts)."""
    ids, torn = [], 0
    for line in data.splitlines(keepends=True):
        try:
            doc = json.loads(line)
            if not line.endswith(b"\n") or not isinstance(doc, dict):
                raise ValueError
            ids.append(doc.get("id"))
        except ValueError:
            torn += 1
    return ids, torn


# --- what the logs say ------------------------------------------------------

LINE = re.compile(r'^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z) (\w+) (?:"([^"]*)"|(\S+))(.*)$')


def log_time(stamp):
    return datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def lease_events(node):
    """The lease and chain lines of a node's log: dicts with t (wall seconds,
    ms resolution), what, epoch, pid, text."""
    events = []
    try:
        with open(node.ws.dir + "/daemon.log", "rb") as f:
            text = f.read().decode(errors="replace")
    except OSError:
        return events
    for raw in text.splitlines():
        m = LINE.match(raw)
        if not m:
            continue
        message = m.group(3) or m.group(4)
        what = None
        if message.startswith("chain lease acquired"):
            what = "acquired"
        elif message.startswith("chain lease lost"):
            what = "lost"
        elif message.startswith("chain lease released"):
            what = "released"
        elif message.startswith("chain stopped"):
            what = "chain stopped"
        elif message.startswith("chain started"):
            what = "chain started"
        if what is None:
            continue
        epoch = re.search(r"lease\.epoch=(\d+)", m.group(5))
        holder = re.search(r"lease\.node=\"?[^:\s]*:(\d+):", m.group(5))
        events.append({"t": log_time(m.group(1)), "what": what, "node": node.name,
                       "epoch": int(epoch.group(1)) if epoch else None,
                       "pid": int(holder.group(1)) if holder else None, "text": raw[:300]})
    return events


def read_feed_log(path):
    lines = []
    try:
        with open(path, "rb") as f:
            for raw in f:
                parts = raw.split()
                if len(parts) != 6:
                    continue
                lines.append({"node": parts[0].decode(), "daemon": int(parts[1]), "stage": int(parts[2]),
                              "mono": int(parts[3]), "t": int(parts[4]) / 1e9, "id": parts[5].decode()})
    except FileNotFoundError:
        pass
    return lines


# --- load ---------------------------------------------------------------------

class ClusterSender(threading.Thread):
    """Sends evt_s<k>_0, evt_s<k>_1, … one at a time, round-robin over the
    nodes; each id is retried (on the next node) until it gets a 2xx. A node
    that failed is skipped for a second. Records every acknowledged id."""

    def __init__(self, k, nodes, pause=0.005, timeout=3.0):
        super().__init__(daemon=True)
        self.k, self.nodes, self.pause, self.timeout = k, nodes, pause, timeout
        self.acked, self.ack_times = [], []
        self.statuses, self.errors = {}, 0
        self.acks_by_node = {n.name: 0 for n in nodes}
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()

    def run(self):
        conns, penalty = {}, {}
        n, target = 0, self.k % len(self.nodes)
        while not self.stop_flag.is_set():
            for _ in range(len(self.nodes)):
                if penalty.get(target, 0) <= time.monotonic():
                    break
                target = (target + 1) % len(self.nodes)
            node = self.nodes[target]
            event_id = f"evt_s{self.k}_{n}"
            body, headers = signed_request(event_id)
            try:
                conn = conns.get(target)
                if conn is None:
                    conn = conns[target] = http.client.HTTPConnection(node.ws.host, node.ws.port, timeout=self.timeout)
                conn.request("POST", "/hooks/stripe", body, headers)
                response = conn.getresponse()
                response.read()
                with self.lock:
                    self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
                if 200 <= response.status < 300:
                    with self.lock:
                        self.acked.append(event_id)
                        self.ack_times.append(time.time())
                        self.acks_by_node[node.name] += 1
                    n += 1
                    target = (target + 1) % len(self.nodes)
                    time.sleep(self.pause)
                else:
                    penalty[target] = time.monotonic() + 1.0
                    target = (target + 1) % len(self.nodes)
                    time.sleep(0.02)
                if response.getheader("connection", "").lower() == "close":
                    conns.pop(target, None)
            except (OSError, http.client.HTTPException):
                with self.lock:
                    self.errors += 1
                stale = conns.pop(target, None)
                if stale is not None:
                    stale.close()
                penalty[target] = time.monotonic() + 1.0
                target = (target + 1) % len(self.nodes)
                time.sleep(0.02)
        for conn in conns.values():
            conn.close()

    def stop(self):
        self.stop_flag.set()
        self.join(timeout=30)


class SizeSampler(threading.Thread):
    """Every node's output size every 10 ms, with the wall time."""

    def __init__(self, nodes):
        super().__init__(daemon=True)
        self.nodes = nodes
        self.samples = []
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()

    def run(self):
        while not self.stop_flag.wait(0.01):
            sample = (time.time(), tuple(n.output_size() for n in self.nodes))
            with self.lock:
                self.samples.append(sample)

    def size_at(self, i, t):
        """The node's output size at the last sample at or before t."""
        with self.lock:
            before = [s for (ts, s) in self.samples if ts <= t]
        return before[-1][i] if before else 0

    def stop(self):
        self.stop_flag.set()
        self.join(timeout=5)


# --- the cluster --------------------------------------------------------------

class Cluster:
    def __init__(self, args, binary):
        self.args, self.binary = args, binary
        self.lease_ttl = args.lease_ttl
        self.run_dir = tempfile.mkdtemp(prefix="hookpipe-cluster-")
        os.chmod(self.run_dir, 0o755)  # the server runs as postgres and keeps its directory in here
        # Everything of this run (workspaces, the database) lives in run_dir:
        # one directory to keep or remove, and nobody's cleanup of
        # /tmp/hookpipe-proof-* reaches into a run.
        tempfile.tempdir = self.run_dir
        self.feed_log = os.path.join(self.run_dir, "feed.log")
        self.feed_py = os.path.join(self.run_dir, "feed.py")
        with open(self.feed_py, "w") as f:
            f.write(FEED_PY)
        self.delay_py = os.path.join(self.run_dir, "delay.py")
        with open(self.delay_py, "w") as f:
            f.write(DELAY_PY)
        self.delay = args.stage_delay if args.stage_delay is not None else (0.1 if args.mode == "faults" else 0.0)
        self.network = None
        self.pg = None
        self.nodes = []
        self.senders = []
        self.sampler = None
        self.faults = []  # what was done, with times

    def setup(self):
        removed = Network.clean_leftovers()
        if removed:
            log(f"removed leftovers of an earlier run: {' '.join(removed)}")
        if Network.available() and not self.args.loopback:
            self.network = Network()
            self.network.up(NODES)
            self.pg = PgScratch(env={"PG_SCRATCH_LISTEN_ALSO": Network.server_address,
                                     "PG_SCRATCH_ALLOW_ALSO": f"{SUBNET}.0/24"})
            url = self.pg.url.replace("@127.0.0.1:", f"@{Network.server_address}:")
        else:
            self.pg = PgScratch()
            url = self.pg.url
        self.nodes = [Node(i, self.binary, self.pg, url, self.network, self.feed_py, self.feed_log, self.lease_ttl,
                           self.delay_py, self.delay) for i in range(1, NODES + 1)]
        for node in self.nodes:
            node.start()
        self.sampler = SizeSampler(self.nodes)
        self.sampler.start()

    def start_load(self):
        self.senders = [ClusterSender(k, self.nodes) for k in range(NODES)]
        for s in self.senders:
            s.start()

    def stop_load(self):
        for s in self.senders:
            s.stop()

    def acked(self):
        ids = []
        for s in self.senders:
            with s.lock:
                ids.extend(s.acked)
        return ids

    # The lease as the database has it.
    def lease(self):
        """(holder pid, epoch, seconds left, seconds held) or None."""
        try:
            rows = self.pg.query("SELECT holder, epoch, extract(epoch FROM expires_at - now()), "
                                 "extract(epoch FROM now() - acquired_at) FROM hookpipe.chain_lease WHERE name = 'chain'")
        except (RuntimeError, subprocess.TimeoutExpired):
            return None
        if not rows or not rows[0][0]:
            return None
        holder, epoch, left, held = rows[0]
        try:
            return int(holder.split(":")[1]), int(epoch), float(left), float(held)
        except (IndexError, ValueError):
            return None

    def node_of(self, pid):
        for node in self.nodes:
            if node.pid == pid and node.alive():
                return node
        return None

    def wait_holder(self, held_for=0.3, timeout=30, not_pid=None):
        """The node holding a live lease for at least `held_for` seconds
        (another than `not_pid`), and the epoch."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            lease = self.lease()
            if lease:
                pid, epoch, left, held = lease
                node = self.node_of(pid)
                if node and left > 0 and held >= held_for and pid != not_pid and not node.stopped:
                    return node, epoch
            time.sleep(0.05)
        raise RuntimeError(f"no node held the chain lease within {timeout} s (lease row: {self.lease()})")

    def terminate_sessions(self, node):
        """pg_terminate_backend for the node's hookpipe sessions: by client
        address in namespaces, by the daemon's client ports on loopback."""
        if self.network:
            where = f"client_addr = '{Network.address(node.index)}'"
        else:
            ports = self.client_ports(node.pid)
            if not ports:
                return 0
            where = f"client_port IN ({','.join(map(str, ports))})"
        rows = self.pg.query("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                             f"WHERE application_name = 'hookpipe' AND {where}")
        return int(rows[0][0]) if rows else 0

    def client_ports(self, pid):
        out = run("ss", "-tnpH", check=False).stdout
        ports = []
        for line in out.splitlines():
            if f"pid={pid}," in line:
                cols = line.split()
                try:
                    ports.append(int(cols[3].rsplit(":", 1)[1]))
                except (IndexError, ValueError):
                    pass
        return ports

    def settle(self, acked, timeout=120):
        deadline = time.time() + timeout
        acked_set = set(acked)
        while True:
            delivered = set()
            for node in self.nodes:
                delivered.update(output_ids(node.read_output())[0])
            dead = self.pg.dead_lettered_ids()
            missing = acked_set - delivered - dead
            if not missing or time.time() > deadline:
                return missing, dead
            time.sleep(0.5)

    def stop_all(self):
        """SIGTERM every node, the holder last; returns their exit statuses."""
        lease = self.lease()
        holder_pid = lease[0] if lease else None
        order = sorted((n for n in self.nodes if n.alive()), key=lambda n: n.pid == holder_pid)
        return {n.name: n.terminate()[0] for n in order}

    def teardown(self, keep):
        for s in self.senders:
            s.stop_flag.set()
        if self.sampler:
            self.sampler.stop()
        for node in self.nodes:
            if node.alive():
                children = node.daemon.children()
                try:
                    node.kill()
                except (OSError, subprocess.TimeoutExpired):
                    pass
                for pid in children:  # its stage processes, started by our daemon
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            if node.daemon:
                node.daemon.log.close()
        if self.network:
            self.network.down()
        if self.pg:
            if keep:
                self.pg.stop()
            else:
                self.pg.remove()
        if not keep:
            for node in self.nodes:
                node.ws.remove()
            shutil.rmtree(self.run_dir, ignore_errors=True)


# --- faults -----------------------------------------------------------------

def kill_node(cluster, node, role):
    t = time.time()
    pid = node.pid
    node.kill()
    node.start()
    record = {"fault": f"kill-{role}", "node": node.name, "pid": pid, "t": t, "restart_seconds": round(time.time() - t, 2)}
    cluster.faults.append(record)
    if role == "holder":
        _, epoch = cluster.wait_holder(held_for=0.0)
        record["next_epoch"] = epoch


def pause_holder(cluster, node, epoch):
    """SIGSTOP the holder until another node holds the lease, then SIGCONT:
    what it writes after that is written after its lease was taken."""
    ttl = cluster.lease_ttl
    t_stop = time.time()
    node.stop()
    deadline = time.time() + 5
    while not node.all_threads_stopped() and time.time() < deadline:
        time.sleep(0.005)
    size_stopped = node.output_size()
    in_flight = in_flight_lines(cluster, node, size_stopped)
    new_holder, new_epoch = cluster.wait_holder(held_for=0.0, timeout=3 * ttl + 10, not_pid=node.pid)
    t_seen = time.time()
    time.sleep(0.5)  # the new holder runs its chain meanwhile
    t_cont = time.time()
    size_before_cont = node.output_size()
    node.cont()
    deadline = t_cont + max(5.0, 2 * ttl)
    lost_at = None
    while time.time() < deadline and lost_at is None:
        for e in lease_events(node):
            if e["what"] in ("lost", "chain stopped") and e["t"] >= t_cont - 0.002:
                lost_at = e["t"]
                break
        time.sleep(0.05)
    time.sleep(1.0)
    t_end = time.time()
    size_after = node.output_size()
    with cluster.sampler.lock:
        after_cont = [(ts, s[node.index - 1]) for (ts, s) in cluster.sampler.samples if t_cont <= ts <= t_end]
    peak = max([size for _, size in after_cont] or [size_after])
    grew = [ts for ts, size in after_cont if size > size_stopped]  # sampled every 10 ms
    appended = node.read_output(size_stopped, max(size_after, size_stopped))
    ids, torn = output_ids(appended)
    cluster.faults.append({
        "fault": "pause", "node": node.name, "pid": node.pid, "epoch": epoch, "t": t_stop, "t_cont": t_cont,
        "t_end": t_end, "next_epoch": new_epoch, "next_holder": new_holder.name,
        "stopped_seconds": round(t_cont - t_stop, 2), "takeover_seen_after_stop": round(t_seen - t_stop, 2),
        "output_bytes_at_stop": size_stopped, "lines_in_its_chain_at_stop": in_flight, "output_bytes_before_cont": size_before_cont,
        "output_bytes_peak_after_cont": peak, "output_bytes_after": size_after,
        "lines_written_after_cont": len(ids) + torn, "ids_written_after_cont": ids[:50],
        "step_down_logged_after_cont": round(lost_at - t_cont, 3) if lost_at else None,
        "output_grew_after_cont_seconds": round(grew[0] - t_cont, 3) if grew else None,
    })


def in_flight_lines(cluster, node, size):
    """Ids its feed stage read (this daemon) that are not yet in its output
    file's first `size` bytes: lines somewhere in its pipes or stages."""
    fed = {x["id"] for x in read_feed_log(cluster.feed_log) if x["daemon"] == node.pid}
    return len(fed - set(output_ids(node.read_output(0, size))[0]))


def terminate_holder_sessions(cluster, node, epoch):
    t = time.time()
    count = cluster.terminate_sessions(node)
    time.sleep(2 * cluster.lease_ttl + 0.5)
    lease = cluster.lease()
    kept = bool(lease and lease[0] == node.pid and lease[1] == epoch)
    cluster.faults.append({"fault": "terminate", "node": node.name, "pid": node.pid, "epoch": epoch, "t": t,
                           "sessions_terminated": count, "target": "client_addr" if cluster.network else "client_port",
                           "holder_kept_lease": kept, "epoch_after": lease[1] if lease else None})


def partition_holder(cluster, node, epoch):
    ttl = cluster.lease_ttl
    t_cut = time.time()
    cluster.network.cut(node.index)
    in_flight = in_flight_lines(cluster, node, node.output_size())
    try:
        new_holder, new_epoch = cluster.wait_holder(held_for=0.0, timeout=3 * ttl + 10, not_pid=node.pid)
        t_seen = time.time()
        time.sleep(1.0)
    finally:
        t_heal = time.time()
        cluster.network.heal(node.index)
    time.sleep(1.5)
    t_end = time.time()
    cluster.faults.append({"fault": "partition", "node": node.name, "pid": node.pid, "epoch": epoch, "t": t_cut,
                           "t_heal": t_heal, "t_end": t_end, "next_epoch": new_epoch, "next_holder": new_holder.name,
                           "takeover_seen_after_cut": round(t_seen - t_cut, 2),
                           "lines_in_its_chain_at_cut": in_flight,
                           "cut_seconds": round(t_heal - t_cut, 2)})


def faults_mode(cluster, rng, args):
    cycles = args.cycles or 20
    schedule = (["kill-holder"] * math.ceil(cycles / 2) + ["kill-receiver"] * (cycles // 2)
                + ["pause"] * args.pauses + ["terminate"] * args.terminations
                + (["partition"] * args.partitions if cluster.network else []))
    rng.shuffle(schedule)
    cluster.start_load()
    started = time.time()
    for n, fault in enumerate(schedule):
        holder, epoch = cluster.wait_holder(held_for=0.3)
        time.sleep(rng.uniform(0.2, 1.0))
        holder, epoch = cluster.wait_holder(held_for=0.0)
        log(f"fault {n + 1}/{len(schedule)}: {fault} (holder {holder.name}, epoch {epoch})")
        if fault == "kill-holder":
            kill_node(cluster, holder, "holder")
        elif fault == "kill-receiver":
            kill_node(cluster, rng.choice([x for x in cluster.nodes if x is not holder]), "receiver")
        elif fault == "pause":
            pause_holder(cluster, holder, epoch)
        elif fault == "terminate":
            terminate_holder_sessions(cluster, holder, epoch)
        elif fault == "partition":
            partition_holder(cluster, holder, epoch)
    cluster.wait_holder(held_for=0.5)
    time.sleep(1.0)
    cluster.stop_load()
    return {"schedule": schedule, "fault_seconds": round(time.time() - started, 1)}


def failover_mode(cluster, rng, args):
    cycles = args.cycles or 20
    cluster.start_load()
    trials = []
    for n in range(cycles):
        holder, epoch = cluster.wait_holder(held_for=rng.uniform(0.5, 1.5))
        base = [node.output_size() for node in cluster.nodes]
        t_kill = time.time()
        pid = holder.pid
        holder.daemon.process.send_signal(signal.SIGKILL)
        holder.daemon.process.wait(timeout=30)
        holder._ended("SIGKILL")
        base[holder.index - 1] = holder.output_size()  # its last write is complete now
        holder.start(wait=False)
        first, where = None, None
        deadline = t_kill + 10 * cluster.lease_ttl + 10
        while time.time() < deadline:
            now = time.time()
            for node in cluster.nodes:
                size = node.output_size()
                if size > base[node.index - 1]:
                    first, where = now, node
                    break
                base[node.index - 1] = min(base[node.index - 1], size)  # a restart cut a partial line
            if first:
                break
            time.sleep(0.005)
        holder.daemon.wait_listening()
        trial = {"killed": holder.name, "pid": pid, "epoch": epoch, "t": t_kill,
                 "first_output_seconds": round(first - t_kill, 3) if first else None,
                 "new_holder": where.name if where else None}
        acquired = [e for node in cluster.nodes for e in lease_events(node)
                    if e["what"] == "acquired" and e["epoch"] is not None and e["epoch"] > epoch]
        if acquired:
            trial["acquired_seconds"] = round(min(e["t"] for e in acquired) - t_kill, 3)
        trials.append(trial)
        cluster.faults.append({"fault": "kill-holder", "node": holder.name, "pid": pid, "t": t_kill})
        log(f"failover {n + 1}/{cycles}: {trial}")
    cluster.wait_holder(held_for=0.5)
    time.sleep(1.0)
    cluster.stop_load()
    times = [t["first_output_seconds"] for t in trials if t["first_output_seconds"] is not None]
    target = cluster.lease_ttl + 1.0
    acquire = [t["acquired_seconds"] for t in trials if "acquired_seconds" in t]
    return {"trials": len(trials), "failover_target_seconds": target,
            "failover_p50_seconds": round(statistics.median(times), 3) if times else None,
            "failover_max_seconds": round(max(times), 3) if times else None,
            "failover_min_seconds": round(min(times), 3) if times else None,
            "failover_no_output": sum(1 for t in trials if t["first_output_seconds"] is None),
            "acquired_p50_seconds": round(statistics.median(acquire), 3) if acquire else None,
            "acquired_max_seconds": round(max(acquire), 3) if acquire else None,
            "failover_seconds": times,
            "new_holder_was_restarted_node": sum(1 for t in trials if t["new_holder"] == t["killed"])}


# --- the account ---------------------------------------------------------------

def analyse(cluster, acked, missing, dead, violations):
    result = {}
    # Outputs.
    per_node, all_ids, torn = {}, [], 0
    for node in cluster.nodes:
        ids, t = output_ids(node.read_output())
        per_node[node.name] = len(ids)
        all_ids.extend(ids)
        torn += t
    acked_set = set(acked)
    unique = set(all_ids)
    duplicates = len(all_ids) - len(unique)
    result.update(acknowledged=len(acked_set), delivered=len(acked_set & unique),
                  dead_lettered=len((acked_set - unique) & dead), lost=len(missing), lost_ids=sorted(missing)[:20],
                  output_lines=per_node, torn_lines=torn, duplicates=duplicates,
                  unacknowledged_delivered=len(unique - acked_set))
    if missing:
        violations.append(f"{len(missing)} acknowledged ids neither delivered nor dead-lettered")
    if torn:
        violations.append(f"{torn} torn output lines")

    # Terms, from the daemons' own lines.
    events = sorted((e for node in cluster.nodes for e in lease_events(node)), key=lambda e: e["t"])
    acquisitions = [e for e in events if e["what"] == "acquired"]
    epochs = [e["epoch"] for e in acquisitions]
    result["epochs"] = [[e["epoch"], e["node"], e["pid"]] for e in acquisitions]
    result["lease_lost_lines"] = sum(1 for e in events if e["what"] == "lost")
    if len(set(epochs)) != len(epochs):
        violations.append(f"an epoch was acquired twice: {epochs}")
    if epochs != sorted(epochs):
        violations.append(f"epochs not acquired in increasing order: {epochs}")
    feed = read_feed_log(cluster.feed_log)
    terms, orphans, fed_terms = assign_terms(acquisitions, feed)
    result["feed_lines"] = len(feed)
    if orphans:
        violations.append(f"{orphans} feed-log lines from a daemon holding no lease term")
    result["fed_without_term"] = orphans
    overlaps, late, gaps = term_conflicts(terms)
    fed_ordered = [t for t in sorted(terms.values(), key=lambda x: x["epoch"]) if t["first"] is not None]
    # From a term's acquisition to its first feed: the new holder's start-up,
    # and any wait for the horizon (a cut-off node's open transaction).
    starts = sorted(round(t["first"] - t["acquired"], 3) for t in fed_ordered)
    result.update(first_feed_after_acquired_seconds={
        "p50": starts[len(starts) // 2] if starts else None, "max": starts[-1] if starts else None})
    result.update(terms=len(terms), terms_that_fed=len(fed_ordered), feeding_overlaps=overlaps,
                  fed_after_lease_taken=late,
                  smallest_gap_between_terms_seconds=min(gaps) if gaps else None)
    if overlaps:
        violations.append(f"{len(overlaps)} pairs of lease terms fed their chains at the same time")
    if late:
        violations.append(f"{len(late)} terms fed their chain after the next epoch was acquired")

    # Duplicates: ids fed by more than one term are the re-feeds of a handover.
    refed = {i: e for i, e in fed_terms.items() if len(set(e)) > 1}
    per_pair = {}
    for epochs_fed in refed.values():
        first, again = sorted(set(epochs_fed))[:2]
        per_pair[(first, again)] = per_pair.get((first, again), 0) + 1
    within = sum(len(e) - len(set(e)) for e in fed_terms.values())
    handovers = max(0, len(fed_ordered) - 1)
    with_rate = peak_ack_rate(cluster)
    per_handover = MAX_IN_FLIGHT + math.ceil(with_rate * (cluster.lease_ttl + CHECKPOINT_INTERVAL))
    bound = handovers * per_handover
    result.update(ids_fed_by_several_terms=len(refed), refed_within_one_term=within,
                  most_refed_at_one_handover=max(per_pair.values()) if per_pair else 0,
                  peak_ack_rate_per_second=round(with_rate, 1), duplicate_bound=bound,
                  duplicate_bound_per_handover=per_handover, handovers=handovers)
    if duplicates > bound:
        violations.append(f"{duplicates} duplicates exceed the bound {bound}")
    return result, terms


def assign_terms(acquisitions, feed):
    """Lease terms (epoch -> holder pid, acquired at, feeding times) from the
    daemons' `acquired` lines, with each feed-log line given to its daemon's
    latest term begun before it. Returns (terms, lines no term of their
    daemon explains, id -> epochs that fed it)."""
    terms = {e["epoch"]: {"epoch": e["epoch"], "node": e["node"], "pid": e["pid"], "acquired": e["t"],
                          "fed": 0, "first": None, "last": None, "times": []} for e in acquisitions}
    by_pid = {}
    for term in sorted(terms.values(), key=lambda x: x["acquired"]):
        by_pid.setdefault(term["pid"], []).append(term)
    orphans, fed_terms = 0, {}
    for line in feed:
        term = None
        for candidate in by_pid.get(line["daemon"], []):
            if candidate["acquired"] <= line["t"] + 0.002:  # the log's stamp has millisecond resolution
                term = candidate
        if term is None:
            orphans += 1
            continue
        term["fed"] += 1
        term["times"].append(line["t"])
        term["first"] = line["t"] if term["first"] is None else min(term["first"], line["t"])
        term["last"] = line["t"] if term["last"] is None else max(term["last"], line["t"])
        fed_terms.setdefault(line["id"], []).append(term["epoch"])
    return terms, orphans, fed_terms


def term_conflicts(terms):
    """(overlaps: pairs of terms whose first-to-last feeding intervals
    intersect; late: terms that fed after the next epoch was acquired; gaps
    between consecutive feeding terms, in seconds)."""
    ordered = sorted(terms.values(), key=lambda x: x["epoch"])
    overlaps, late = [], []
    for a_index, a in enumerate(ordered):
        if a["first"] is None:
            continue
        nxt = ordered[a_index + 1] if a_index + 1 < len(ordered) else None
        if nxt and a["last"] > nxt["acquired"]:
            late.append({"epoch": a["epoch"], "node": a["node"], "next_epoch": nxt["epoch"],
                         "fed_after_next_acquired": sum(1 for t in a["times"] if t > nxt["acquired"]),
                         "seconds_after_next_acquired": round(a["last"] - nxt["acquired"], 3)})
        for b in ordered[a_index + 1:]:
            if b["first"] is not None and a["last"] >= b["first"]:
                overlaps.append({"epochs": [a["epoch"], b["epoch"]], "nodes": [a["node"], b["node"]],
                                 "overlap_seconds": round(a["last"] - b["first"], 3)})
    fed = [t for t in ordered if t["first"] is not None]
    return overlaps, late, [round(b["first"] - a["last"], 3) for a, b in zip(fed, fed[1:])]


def selfcheck():
    """The feeding checks on made-up logs: a clean handover passes; a stale
    holder that feeds after the takeover, and a daemon that feeds without a
    term, are caught. Returns the failures."""
    failures = []
    acquisitions = [{"epoch": 1, "node": "n1", "pid": 100, "t": 0.0},
                    {"epoch": 2, "node": "n2", "pid": 200, "t": 2.0}]
    clean = [{"daemon": 100, "t": 0.1 * k, "id": f"a{k}"} for k in range(1, 10)] + \
            [{"daemon": 200, "t": 2.1 + 0.1 * k, "id": f"b{k}"} for k in range(10)]
    terms, orphans, _ = assign_terms(acquisitions, clean)
    overlaps, late, gaps = term_conflicts(terms)
    if overlaps or late or orphans or gaps != [1.2]:
        failures.append(f"clean handover flagged: {overlaps} {late} {orphans} {gaps}")
    stale = clean + [{"daemon": 100, "t": 2.5, "id": "a99"}, {"daemon": 300, "t": 1.0, "id": "c1"}]
    terms, orphans, fed = assign_terms(acquisitions, stale)
    overlaps, late, _ = term_conflicts(terms)
    if not (len(overlaps) == 1 and overlaps[0]["epochs"] == [1, 2] and late
            and late[0]["fed_after_next_acquired"] == 1 and orphans == 1):
        failures.append(f"stale feeding not caught: {overlaps} {late} {orphans}")
    return failures


def sequence_check(cluster, violations):
    """Every stored event numbered once, and the numbers dense from 1."""
    rows = cluster.pg.query("SELECT (SELECT count(*) FROM hookpipe.events), count(*), count(DISTINCT seq), "
                            "count(DISTINCT event_id), coalesce(min(seq), 0), coalesce(max(seq), 0) "
                            "FROM hookpipe.event_seq")
    events, numbered, seqs, ids, low, high = map(int, rows[0])
    lease = cluster.pg.query("SELECT epoch FROM hookpipe.chain_lease WHERE name = 'chain'")
    result = {"stored_events": events, "numbered_events": numbered, "last_seq": high,
              "final_epoch": int(lease[0][0]) if lease else None}
    if not (numbered == seqs == ids == events and (numbered == 0 or (low == 1 and high == numbered))):
        violations.append(f"event_seq is not one dense number per stored event: events {events}, rows {numbered}, "
                          f"distinct seq {seqs}, distinct events {ids}, seq {low}..{high}")
    return result


def peak_ack_rate(cluster):
    """Most acknowledgements in any one-second window, all senders together."""
    times = sorted(t for s in cluster.senders for t in s.ack_times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] < t - 1.0:
            j += 1
        best = max(best, i - j + 1)
    return float(best)


def fault_findings(cluster, terms, violations):
    """For the pause and the partition: what the faulted holder wrote (output
    bytes, fed lines) after another node acquired the lease."""
    feed = read_feed_log(cluster.feed_log)
    for fault in cluster.faults:
        if fault["fault"] not in ("pause", "partition"):
            continue
        node = cluster.nodes[int(fault["node"][1:]) - 1]
        nxt = terms.get(fault["next_epoch"])
        if not nxt:
            continue
        t_take = nxt["acquired"]
        fault["next_acquired_after_fault_seconds"] = round(t_take - fault["t"], 3)
        if nxt["first"] is not None:
            fault["next_first_feed_after_acquired_seconds"] = round(nxt["first"] - t_take, 3)
        size_take = cluster.sampler.size_at(node.index - 1, t_take)
        with cluster.sampler.lock:
            later = [s[node.index - 1] for (ts, s) in cluster.sampler.samples if t_take < ts <= fault["t_end"]]
        peak = max(later or [size_take])
        appended = node.read_output(size_take, peak) if peak > size_take else b""
        ids, torn = output_ids(appended)
        fault["output_bytes_at_takeover"] = size_take
        fault["output_bytes_grown_after_takeover"] = peak - size_take
        fault["output_lines_after_takeover"] = len(ids) + torn
        fed = [x for x in feed if x["daemon"] == fault["pid"] and t_take < x["t"] <= fault["t_end"]]
        fault["fed_lines_after_takeover"] = len(fed)
        if fed:
            fault["fed_after_takeover_seconds"] = [round(fed[0]["t"] - t_take, 3), round(fed[-1]["t"] - t_take, 3)]
        lost = [e for e in lease_events(node) if e["what"] == "lost" and e["pid"] == fault["pid"]
                and e["epoch"] == fault["epoch"]]
        if lost:
            fault["step_down_logged_before_takeover_seconds"] = round(t_take - lost[0]["t"], 3)
        if ids or torn:
            violations.append(f"{fault['fault']} of {fault['node']}: {len(ids) + torn} output lines written after "
                              f"epoch {fault['next_epoch']} was acquired")
        if fed:
            violations.append(f"{fault['fault']} of {fault['node']}: {len(fed)} lines fed to its chain after "
                              f"epoch {fault['next_epoch']} was acquired")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["faults", "failover", "selfcheck"])
    parser.add_argument("--cycles", type=int, help="faults: SIGKILLs (default 20); failover: trials (default 20)")
    parser.add_argument("--pauses", type=int, default=1, help="faults: SIGSTOPs of the holder (default 1)")
    parser.add_argument("--terminations", type=int, default=2,
                        help="faults: pg_terminate_backend of the holder's sessions (default 2)")
    parser.add_argument("--partitions", type=int, default=1, help="faults: partitions of the holder (default 1)")
    parser.add_argument("--lease-ttl", type=float, default=2.0, help="[store] lease_ttl in seconds (default 2)")
    parser.add_argument("--stage-delay", type=float, default=None,
                        help="seconds each line spends in a 'delay' stage between feed and cat (default: faults 0.1, "
                             "failover 0 = no such stage)")
    parser.add_argument("--loopback", action="store_true", help="no namespaces even where they work")
    parser.add_argument("--binary", default=None)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the workspaces, feed log and database directory")
    args = parser.parse_args()
    if args.mode == "selfcheck":
        failures = selfcheck()
        print(json.dumps({"mode": "selfcheck", "violations": failures}))
        sys.exit(1 if failures else 0)
    if args.lease_ttl < 1:
        parser.error("--lease-ttl must be at least 1 (the daemon's minimum)")
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    binary = args.binary or default_binary()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the finally below runs
    # One run at a time on a machine: runs share the hpc-* names, the
    # 198.18.0.0/24 addresses and the leftover cleanup, which would delete a
    # live run's namespaces (seen: a failover run spoiled a faults run).
    # The lock is held until this process exits; a second run waits, bounded.
    lock = open("/tmp/hookpipe-cluster-proof.lock", "w")
    waited_until = time.time() + 900
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.time() > waited_until:
                sys.exit("another proof/cluster.py run held /tmp/hookpipe-cluster-proof.lock for 15 minutes")
            time.sleep(1)
    started = time.time()
    cluster = Cluster(args, binary)
    violations = []
    with open(binary, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    result = {"stage_delay_seconds": cluster.delay, "binary": {"path": binary, "sha256": digest,
                         "built": datetime.datetime.fromtimestamp(os.path.getmtime(binary), datetime.timezone.utc)
                         .strftime("%Y-%m-%dT%H:%M:%SZ")},
              "mode": args.mode, "seed": seed, "lease_ttl_seconds": args.lease_ttl, "nodes": NODES,
              "max_in_flight": MAX_IN_FLIGHT, "checkpoint_interval_seconds": CHECKPOINT_INTERVAL}
    try:
        cluster.setup()
        result["network"] = "namespaces" if cluster.network else "loopback"
        if not cluster.network:
            result["not_done"] = ["partition: no network namespaces here (or --loopback)"]
        mode = {"faults": faults_mode, "failover": failover_mode}[args.mode]
        result.update(mode(cluster, rng, args))
        acked = cluster.acked()
        missing, dead = cluster.settle(acked)
        result["final_exits"] = cluster.stop_all()
        if any(status != 0 for status in result["final_exits"].values()):
            violations.append(f"a node did not exit 0 on SIGTERM: {result['final_exits']}")
        account, terms = analyse(cluster, acked, missing, dead, violations)
        result.update(account)
        fault_findings(cluster, terms, violations)
        result.update(sequence_check(cluster, violations))
        if result["final_epoch"] != max(terms, default=None):
            violations.append(f"the lease row's epoch {result['final_epoch']} is not the last one the logs "
                              f"acquired ({max(terms, default=None)})")
        statuses = {}
        for s in cluster.senders:
            for code, count in s.statuses.items():
                statuses[str(code)] = statuses.get(str(code), 0) + count
        result["statuses"] = statuses
        result["acks_by_node"] = {n.name: sum(s.acks_by_node[n.name] for s in cluster.senders) for n in cluster.nodes}
        result["sender_errors"] = sum(s.errors for s in cluster.senders)
        kills = [f for f in cluster.faults if f["fault"].startswith("kill")]
        result["kills"] = {"holder": sum(1 for f in kills if f["fault"] == "kill-holder"),
                           "receiver": sum(1 for f in kills if f["fault"] == "kill-receiver")}
        result["pauses"] = [f for f in cluster.faults if f["fault"] == "pause"]
        result["terminations"] = [f for f in cluster.faults if f["fault"] == "terminate"]
        result["partitions"] = [f for f in cluster.faults if f["fault"] == "partition"]
        if args.mode == "failover":
            if result["failover_no_output"]:
                violations.append(f"{result['failover_no_output']} failovers put out nothing in time")
            if result["failover_max_seconds"] is not None and result["failover_max_seconds"] > result["failover_target_seconds"]:
                violations.append(f"failover max {result['failover_max_seconds']} s exceeds lease_ttl + 1 s")
    except Exception as error:  # the JSON still comes out, with the reason
        violations.append(f"harness: {type(error).__name__}: {error}")
    except (KeyboardInterrupt, SystemExit):
        violations.append("interrupted (SIGINT or SIGTERM): cleaned up, no verdict")
    finally:
        cluster.teardown(args.keep)
    result["violations"] = violations
    result["seconds"] = round(time.time() - started, 1)
    if args.keep:
        result["workspaces"] = [n.ws.dir for n in cluster.nodes]
        result["run_directory"] = cluster.run_dir
        result["postgresql_directory"] = cluster.pg.dir if cluster.pg else None
    print(json.dumps(result, sort_keys=True))
    sys.exit(1 if violations else 0)


if __name__ == "__main__":
    main()
