"""Shared pieces of the proof harnesses: a workspace with a pipeline.conf, the
real hookpipe binary started and stopped, uniquely signed Stripe events, and
reading the outcome back from the chain's output and the store. Loopback only
(proof/cluster.py adds network namespaces it makes itself); every wait is
bounded."""
import hashlib, hmac, http.client, json, os, random, shutil, signal, socket, sqlite3, subprocess, sys, tempfile, threading, time

SECRET = "whsec_proof_" + os.urandom(6).hex()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class PgScratch:
    """A throwaway PostgreSQL from scripts/pg-scratch.sh, in a directory of its
    own (root runs the server as `postgres`, which cannot enter a 0700
    workspace): `url` logs in as the role hookpipe over TCP with its password."""

    SCRIPT = os.path.join(ROOT, "scripts", "pg-scratch.sh")

    def __init__(self, env=None):
        """`env`: more environment for `start` (PG_SCRATCH_LISTEN_ALSO, PG_SCRATCH_ALLOW_ALSO)."""
        self.dir = tempfile.mkdtemp(prefix="hookpipe-proof-pg-")
        self.env = env
        try:
            self.url = self._script("start", timeout=180).strip()
        except BaseException:
            shutil.rmtree(self.dir, ignore_errors=True)  # start stops a server it could not finish setting up
            raise

    def _script(self, command, *args, timeout=60):
        done = subprocess.run([self.SCRIPT, command, self.dir, *args], capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL,
                              env={**os.environ, **self.env} if self.env else None)
        if done.returncode != 0:
            raise RuntimeError(f"pg-scratch.sh {command} failed ({done.returncode}):\n{done.stderr}")
        return done.stdout

    def query(self, sql):
        """Rows of one statement, as the superuser, each a list of column texts."""
        out = self._script("psql", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql, timeout=30)
        return [line.split("\t") for line in out.splitlines()]

    def stop(self):
        self._script("stop")

    def crash(self):
        """Stops the server in immediate mode (no checkpoint: the next start replays the WAL)."""
        self._script("stop-now")

    def start_again(self):
        self._script("start-again", timeout=120)

    def remove(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def dead_lettered_ids(self):
        """Dedupe keys (envelope ids) of dead-lettered events, as dead_lettered_ids()
        reads them from SQLite; empty while the tables do not exist yet."""
        try:
            return {row[0] for row in self.query(
                "SELECT e.dedupe_key FROM hookpipe.dead_letters d JOIN hookpipe.event_seq s ON s.seq = d.seq "
                "JOIN hookpipe.events e ON e.id = s.event_id")}
        except (RuntimeError, subprocess.TimeoutExpired):
            return set()


def default_binary():
    for candidate in (".build/debug/hookpipe", ".build/release/hookpipe"):
        path = os.path.join(ROOT, candidate)
        if os.access(path, os.X_OK):
            return path
    sys.exit("hookpipe binary not found: build it first (swift build) or pass --binary")


class Workspace:
    """A temporary directory holding pipeline.conf, the secret and the state.
    With `postgres` (a PgScratch) the store is that server (the URL reaches
    the daemon as HOOKPIPE_DATABASE_URL); the state directory still holds
    status.json and the lock. `host` is the listener's address (the daemon
    may run in a network namespace); `store_extra` replaces the PostgreSQL
    [store] lines below `url` (pool, timeouts, lease)."""

    def __init__(self, chain="", server_extra="", state_directory="state", log_level="notice", max_connections=256,
                 postgres=None, host="127.0.0.1", store_extra=None):
        self.dir = tempfile.mkdtemp(prefix="hookpipe-proof-")
        self.host = host
        self.port = free_port()
        self.postgres = postgres
        self.env = {"HOOKPIPE_DATABASE_URL": postgres.url} if postgres else {}
        if store_extra is None:
            store_extra = ('pool_size = 8\nconnect_timeout = "2s"\noperation_timeout = "2s"\nlease_ttl = "1s"\n')
        store_extra = ('backend = "postgresql"\nurl = "env:HOOKPIPE_DATABASE_URL"\n' + store_extra) if postgres else ""
        with open(os.path.join(self.dir, "stripe.secret"), "w") as f:
            f.write(SECRET)
        self.state = os.path.join(self.dir, state_directory) if not os.path.isabs(state_directory) else state_directory
        with open(self.config, "w") as f:
            f.write(f"""[server]
host = "{host}"
port = {self.port}
max_connections = {max_connections}
{server_extra}
[store]
state_directory = "{self.state}"
{store_extra}[log]
level = "{log_level}"
[[source]]
name = "stripe"
path = "/hooks/stripe"
scheme = "stripe"
secrets = ["file:stripe.secret"]
{chain}
""")

    @property
    def config(self):
        return os.path.join(self.dir, "pipeline.conf")

    @property
    def output(self):
        return os.path.join(self.dir, "out.ndjson")

    @property
    def database(self):
        return os.path.join(self.state, "hookpipe.sqlite")

    def dead_lettered_ids(self):
        """Dedupe keys of dead-lettered events, from whichever store the daemon uses."""
        return self.postgres.dead_lettered_ids() if self.postgres else dead_lettered_ids(self.database)

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class Daemon:
    """`hookpipe run` on the workspace; its stderr goes to a log file.
    `wrapper` goes before the command and must exec it, keeping the pid
    (`ip netns exec NAME`)."""

    def __init__(self, binary, workspace, wrapper=()):
        self.workspace = workspace
        self.log_path = os.path.join(workspace.dir, "daemon.log")
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen([*wrapper, binary, "run", "--config", workspace.config], stdout=subprocess.DEVNULL,
                                        stderr=self.log, stdin=subprocess.DEVNULL, env={**os.environ, **workspace.env},
                                        # Start as systemd would: no signal blocked (a test runner may block some).
                                        preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_SETMASK, []))

    def wait_listening(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"daemon exited with {self.process.returncode}:\n{self.tail()}")
            try:
                with socket.create_connection((self.workspace.host, self.workspace.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("daemon did not open its port:\n" + self.tail())

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def terminate(self, timeout=60):
        """SIGTERM; returns (exit status, seconds taken)."""
        start = time.time()
        self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = self.process.wait()
        return status, time.time() - start

    def tail(self, lines=40):
        with open(self.log_path, "rb") as f:
            return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")

    def children(self):
        """Pids of the daemon's direct children (its stage processes), from /proc."""
        pids = []
        task_dir = f"/proc/{self.process.pid}/task"
        try:
            for tid in os.listdir(task_dir):
                with open(f"{task_dir}/{tid}/children") as f:
                    pids.extend(int(p) for p in f.read().split())
        except OSError:
            pass
        return pids

    def status(self):
        try:
            with open(os.path.join(self.workspace.state, "status.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None


def signed_request(event_id, body_extra=""):
    body = json.dumps({"id": event_id, "type": "proof.event", "object": "event"})[:-1] + body_extra + "}"
    t = int(time.time())
    sig = hmac.new(SECRET.encode(), f"{t}.{body}".encode(), hashlib.sha256).hexdigest()
    return body, {"Content-Type": "application/json", "Stripe-Signature": f"t={t},v1={sig}"}


class Sender(threading.Thread):
    """Sends evt_0, evt_1, … one at a time over keep-alive connections, each
    retried until it gets a 2xx (connection refused while the daemon restarts,
    503 while it cannot store), and records every acknowledged id."""

    def __init__(self, port, prefix="evt", pause=0.0, body_extra="", body_fn=None):
        super().__init__(daemon=True)
        self.port, self.prefix, self.pause, self.body_extra = port, prefix, pause, body_extra
        # body_fn(n, last_ack_seq) -> extra body text (",\"k\":v…"), for bodies
        # that depend on what the daemon answered before (e.g. a guessed "seq").
        self.body_fn = body_fn
        self.last_ack_seq = 0
        self.acked = []
        self.ack_times = []   # time.monotonic() when each 2xx was read, in order
        self.statuses = {}
        self.status_times = []  # (time.monotonic(), status) of every answer
        self.missing_retry_after = 0
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()

    def run(self):
        conn = None
        n = 0
        extra = None  # (n, body text): a retry sends the same body again
        while not self.stop_flag.is_set():
            event_id = f"{self.prefix}_{n}"
            if extra is None or extra[0] != n:
                extra = (n, self.body_fn(n, self.last_ack_seq) if self.body_fn else self.body_extra)
            body, headers = signed_request(event_id, extra[1])
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("POST", "/hooks/stripe", body, headers)
                response = conn.getresponse()
                answer = response.read()
                with self.lock:
                    self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
                    self.status_times.append((time.monotonic(), response.status))
                    if response.status == 503 and response.getheader("retry-after") is None:
                        self.missing_retry_after += 1
                if 200 <= response.status < 300:
                    if self.body_fn:
                        try:
                            self.last_ack_seq = int(json.loads(answer)["seq"])
                        except (ValueError, KeyError, TypeError):
                            pass
                    with self.lock:
                        self.acked.append(event_id)
                        self.ack_times.append(time.monotonic())
                    n += 1
                    if self.pause:
                        time.sleep(self.pause)
                else:
                    time.sleep(0.02)
                if response.getheader("connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.02)
        if conn is not None:
            conn.close()

    def stop(self):
        self.stop_flag.set()
        self.join(timeout=30)
        with self.lock:
            return list(self.acked)


def delivered_ids(path):
    """Ids of the envelopes in the chain's output file, with repetitions."""
    ids = []
    try:
        with open(path, "rb") as f:
            for line in f:
                try:
                    ids.append(json.loads(line)["id"])
                except (ValueError, KeyError, TypeError):
                    pass
    except FileNotFoundError:
        pass
    return ids


def torn_lines(path):
    """Lines of the chain's output that are not whole JSON objects (a last
    line without its newline counts): the output must be all-or-nothing."""
    torn = 0
    try:
        with open(path, "rb") as f:
            for line in f:
                try:
                    whole = line.endswith(b"\n") and isinstance(json.loads(line), dict)
                except ValueError:
                    whole = False
                torn += 0 if whole else 1
    except FileNotFoundError:
        pass
    return torn


def dead_lettered_ids(database):
    """Dedupe keys (envelope ids) of dead-lettered events, read-only."""
    try:
        db = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
        try:
            return {row[0] for row in db.execute(
                "SELECT e.dedupe_key FROM dead_letters d JOIN events e ON e.seq = d.seq")}
        finally:
            db.close()
    except sqlite3.Error:
        return set()


def stored_ids(database):
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    try:
        return {row[0] for row in db.execute("SELECT dedupe_key FROM events")}
    finally:
        db.close()


def settle(workspace, acked, timeout=90):
    """Waits until every acknowledged id was delivered or dead-lettered;
    returns the accounting."""
    deadline = time.time() + timeout
    acked_set = set(acked)
    while True:
        delivered = delivered_ids(workspace.output)
        dead = workspace.dead_lettered_ids()
        missing = acked_set - set(delivered) - dead
        if not missing or time.time() > deadline:
            break
        time.sleep(0.2)
    unique = set(delivered)
    return {
        "acknowledged": len(acked_set),
        "delivered": len(acked_set & unique),
        "dead_lettered": len((acked_set - unique) & dead),
        "lost": len(missing),
        "lost_ids": sorted(missing)[:20],
        "duplicates": len(delivered) - len(unique),
    }
