#!/usr/bin/env python3
"""The web console in a real browser: Debian's headless Chromium driven by
Selenium (chromium-driver) against a running daemon.

The daemon (the binary passed with --binary) runs on free loopback ports with
its admin listener and a two-stage chain: "picky" (written here) exits 3 on
an event whose payload has "poison": true unless a file "cured" exists, and
waits while a file "paused" exists; "tag" is `cat`, whose output goes to
out.ndjson. Signed events are sent to two sources (stripe from here, github
through `hookpipe sign --send`), some carrying `<script>alert(1)</script>`
and `"><img src=x onerror=alert(2)>` in their payload, id and the stage's
stderr. Then, in the browser:
  - overview: the stages, the per-source counts and chart, newest seq,
    checkpoint, backlog and dead letters, and its 5 s self-refresh (JS);
  - events: newest first, filtered by source, id, time and each outcome
    (pending while the stage is paused), paged with #older to the first
    event, a bad filter answered with #problem;
  - one event: facts, signature, position, the envelope as text; replay;
  - dead letters: stderr shown as text, retry (the copy reaches out.ndjson,
    the letter leaves the list) and drop;
  - the live tail receives an event sent after the page opened;
and with urllib: a cross-origin POST, one without the token and a request
addressed to a foreign Host are refused. On every page no dialog opened
(driver.switch_to.alert), no element came from a payload (no <img>, no
script but console.js) and the browser logged no CSP violation.

Prints one JSON line: {"ok", "checks", "failures", "seconds", ...}; exits 0
when every check passed, 1 otherwise, 3 when Chromium, chromium-driver or
Selenium is missing ({"missing": [...]}; scripts/install-deps.sh installs
them). --screenshots DIR saves overview.png, events.png, event.png,
dead-letters.png and tail.png there (docs/console/ in the repository).
Loopback only: the browser resolves no other name; every wait is bounded."""
import argparse, http.client, json, os, shutil, sqlite3, subprocess, sys, tempfile, threading, time, traceback
import urllib.error, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Daemon, Workspace, default_binary, free_port, signed_request  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCRIPT_XSS = "<script>alert(1)</script>"
IMG_XSS = '"><img src=x onerror=alert(2)>'
ID_XSS = "evt_<script>alert(3)</script>"
STDERR_XSS = "<img src=x onerror=alert(4)>"
TAIL_XSS = "evt_tail_<img src=x onerror=alert(5)>"
BULK = 130

# The chain's first stage: pass lines on; wait while "paused" exists; exit 3
# (after saying why on stderr, payload text included) on a poison event
# unless "cured" exists. Files are looked up in the workspace.
PICKY = r'''import json, os, sys, time
for line in sys.stdin:
    event = json.loads(line)
    payload = event.get("payload", {})
    deadline = time.time() + 8
    while os.path.exists("paused") and time.time() < deadline:
        time.sleep(0.05)
    if payload.get("poison") and not os.path.exists("cured"):
        print(f"boom: cannot handle seq {event.get('seq')}: {payload.get('note', '')}", file=sys.stderr, flush=True)
        sys.exit(3)
    sys.stdout.write(line)
    sys.stdout.flush()
'''


def missing_tools():
    """What the browser test needs and this machine lacks."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (Python)")
    return missing


class Checks:
    """Soft assertions: each is recorded, a failed one does not stop the run."""

    def __init__(self):
        self.passed, self.failures = 0, []

    def that(self, name, condition, detail=""):
        if condition:
            self.passed += 1
        else:
            self.failures.append(f"{name}: {detail}" if detail else name)
        return bool(condition)

    def section(self, name, body):
        """Runs one part of the walk; an exception fails it and the walk goes on."""
        try:
            body()
        except Exception as error:  # noqa: BLE001 - recorded, the next section still runs
            message = str(error).strip().split("\n")[0]  # WebDriver's stack trace of addresses says nothing
            self.failures.append(f"{name}: {type(error).__name__}: {message}"[:600])
            traceback.print_exc(file=sys.stderr)


def wait_until(condition, timeout=20, interval=0.1):
    deadline = time.time() + timeout
    while True:
        value = condition()
        if value or time.time() > deadline:
            return value
        time.sleep(interval)


class Pipeline:
    """The workspace, the daemon, and the events sent to it."""

    def __init__(self, binary):
        self.binary = binary
        self.admin_port = free_port()
        chain = f"""
[[source]]
name = "github"
path = "/hooks/github"
scheme = "github"
secrets = ["file:github.secret"]

[admin]
enabled = true
host = "127.0.0.1"
port = {self.admin_port}

[chain]
output = "file:out.ndjson"
flush_after = "200ms"
checkpoint_interval = "50ms"
poison_after = 2

[[stage]]
name = "picky"
command = ["python3", "-u", "picky.py"]
working_directory = "."
backoff_min = "10ms"
backoff_max = "50ms"
timeout = "20s"

[[stage]]
name = "tag"
command = ["cat"]
backoff_min = "10ms"
backoff_max = "50ms"
"""
        self.ws = Workspace(chain=chain)
        with open(os.path.join(self.ws.dir, "github.secret"), "w") as f:
            f.write("gh_proof_" + os.urandom(6).hex())
        with open(os.path.join(self.ws.dir, "picky.py"), "w") as f:
            f.write(PICKY)
        self.daemon = Daemon(binary, self.ws)
        self.daemon.wait_listening()
        self.base = f"http://127.0.0.1:{self.admin_port}"
        wait_until(lambda: self.get("/console/")[0] == 200, timeout=30)
        self.accepted = {"stripe": 0, "github": 0}
        self.conn = None

    def flag(self, name, present):
        path = os.path.join(self.ws.dir, name)
        if present:
            open(path, "w").close()
        elif os.path.exists(path):
            os.remove(path)

    def send(self, event_id, **fields):
        """One signed Stripe event (fields join its body); retried on a dropped
        connection; returns the stored seq."""
        extra = "".join("," + json.dumps(k) + ":" + json.dumps(v) for k, v in fields.items())
        for _ in range(50):
            body, headers = signed_request(event_id, extra)
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.ws.port, timeout=10)
                self.conn.request("POST", "/hooks/stripe", body, headers)
                response = self.conn.getresponse()
                answer = response.read()
                if 200 <= response.status < 300:
                    self.accepted["stripe"] += 1
                    return json.loads(answer).get("seq")
                time.sleep(0.05)
            except (OSError, http.client.HTTPException):
                self.conn = None
                time.sleep(0.05)
        raise RuntimeError(f"{event_id} was not accepted")

    def send_github(self, body):
        """One GitHub delivery signed and sent by `hookpipe sign --send`."""
        done = subprocess.run([self.binary, "sign", "--config", self.ws.config, "--source", "github", "--data", body, "--send"],
                              capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise RuntimeError(f"hookpipe sign --send failed ({done.returncode}): {done.stderr}{done.stdout}")
        self.accepted["github"] += 1

    def request(self, method, path, body=None, headers=None):
        """(status, headers, text) of an admin request, without following redirects."""
        conn = http.client.HTTPConnection("127.0.0.1", self.admin_port, timeout=10)
        try:
            conn.request(method, path, body, headers or {})
            response = conn.getresponse()
            return response.status, dict((k.lower(), v) for k, v in response.getheaders()), response.read().decode(errors="replace")
        finally:
            conn.close()

    def get(self, path):
        try:
            return self.request("GET", path)
        except OSError as error:
            return 0, {}, str(error)

    def sql(self, query, *args):
        db = sqlite3.connect(f"file:{self.ws.database}?mode=ro", uri=True, timeout=10)
        try:
            return db.execute(query, args).fetchall()
        finally:
            db.close()

    def last_seq(self):
        return self.sql("SELECT COALESCE(MAX(seq), 0) FROM events")[0][0]

    def checkpoint(self):
        rows = self.sql("SELECT seq FROM checkpoints WHERE consumer = 'chain'")
        return rows[0][0] if rows else 0

    def seq_of(self, event_id):
        rows = self.sql("SELECT MIN(seq) FROM events WHERE dedupe_key = ?", event_id)
        return rows[0][0]

    def letters(self):
        """{event id: (letter id, seq)} of the dead letters."""
        return {key: (letter, seq) for letter, seq, key in
                self.sql("SELECT d.id, d.seq, e.dedupe_key FROM dead_letters d JOIN events e ON e.seq = d.seq")}

    def output(self):
        """The envelopes the last stage wrote to out.ndjson."""
        out = []
        try:
            with open(self.ws.output, "rb") as f:
                for line in f:
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        pass
        except FileNotFoundError:
            pass
        return out

    def settled(self, timeout=60):
        """Waits until the checkpoint reaches the newest seq."""
        return wait_until(lambda: self.checkpoint() >= self.last_seq(), timeout=timeout, interval=0.1)



class Browser:
    """Headless Chromium through chromium-driver; nothing leaves loopback."""

    def __init__(self, screenshots):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager download anything
        self.profile = tempfile.mkdtemp(prefix="hookpipe-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900",
                         f"--user-data-dir={self.profile}", "--no-first-run", "--no-default-browser-check",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--disable-extensions", "--disable-default-apps", "--disable-domain-reliability",
                         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER, log_output=subprocess.DEVNULL), options=options)
        self.driver.set_page_load_timeout(30)
        self.driver.set_script_timeout(10)
        self.screenshots = screenshots
        self.saved = []

    def open(self, url):
        self.driver.get(url)
        self.wait(lambda d: d.execute_script("return document.readyState") == "complete")

    def wait(self, condition, timeout=20):
        from selenium.webdriver.support.ui import WebDriverWait
        return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(condition)

    def texts(self, selector):
        """textContent of every element matching `selector`, read at once
        (the overview replaces its section every 5 s)."""
        return self.driver.execute_script(
            "return Array.from(document.querySelectorAll(arguments[0]), e => e.textContent)", selector)

    def text(self, selector):
        found = self.texts(selector)
        return found[0].strip() if found else None

    def attributes(self, selector, name):
        return self.driver.execute_script(
            "return Array.from(document.querySelectorAll(arguments[0]), e => e.getAttribute(arguments[1]))", selector, name)

    def no_alert(self):
        """True when no dialog is open (an executed payload would have opened one)."""
        from selenium.common.exceptions import NoAlertPresentException
        try:
            alert = self.driver.switch_to.alert
            text = alert.text
            alert.dismiss()
            return False, text
        except NoAlertPresentException:
            return True, ""

    def injected_elements(self):
        """Elements a payload could have added: any <img>, any script but console.js, any inline handler."""
        return self.driver.execute_script("""
            const bad = [];
            document.querySelectorAll('img').forEach(e => bad.push('img ' + e.outerHTML.slice(0, 80)));
            document.querySelectorAll('script').forEach(e => {
              if (!(e.getAttribute('src') || '').endsWith('/console/static/console.js')) bad.push('script ' + e.outerHTML.slice(0, 80));
            });
            document.querySelectorAll('[onerror],[onload],[onclick]').forEach(e => bad.push('handler ' + e.outerHTML.slice(0, 80)));
            return bad;""")

    def problems_logged(self):
        """Browser log entries that mean trouble: CSP refusals, script errors (a missing favicon is fine)."""
        entries = self.driver.get_log("browser")
        return [e["message"][:300] for e in entries
                if "favicon.ico" not in e["message"]
                and (e["level"] == "SEVERE" or "Content Security Policy" in e["message"] or "Refused to" in e["message"])]

    def shot(self, name):
        """Saves the whole page as NAME.png when screenshots were asked for."""
        if not self.screenshots:
            return
        # The whole page at 1280 px wide (at most 2400 px tall), through the DevTools protocol.
        height = 0
        try:
            for _ in range(3):  # the page reflows at the new size (no scroll bar): measure again
                size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
                wanted = min(max(int(size["height"]), 600), 2400)
                if wanted == height:
                    break
                height = wanted
                self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                            {"width": 1280, "height": height, "deviceScaleFactor": 1, "mobile": False})
                time.sleep(0.3)
            path = os.path.join(self.screenshots, name + ".png")
            self.driver.save_screenshot(path)
            self.saved.append(path)
        finally:
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def quit(self):
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)


def walk(pipe, browser, checks):
    """The whole walk through the console; returns facts for the JSON line."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    d = browser.driver
    base = pipe.base
    facts = {}

    def page_is_clean(where):
        ok, text = browser.no_alert()
        checks.that(f"{where}: no dialog opened", ok, text)
        injected = browser.injected_elements()
        checks.that(f"{where}: no element from a payload", not injected, injected)
        logged = browser.problems_logged()
        checks.that(f"{where}: no CSP refusal or script error logged", not logged, logged)

    def page_text():
        return f"{d.current_url} says: " + (browser.text("body") or "")[:200]

    def event_seqs():
        return [int(s) for s in browser.attributes("table#events tbody tr[data-seq]", "data-seq")]

    def submit_filter(**fields):
        browser.open(base + "/console/events")
        form = d.find_element(By.CSS_SELECTOR, "form#filter")
        for name, value in fields.items():
            element = form.find_element(By.NAME, name)
            if element.tag_name == "select":
                Select(element).select_by_value(value)
            else:
                element.clear()
                element.send_keys(value)
        old = d.find_element(By.CSS_SELECTOR, "table#events")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        browser.wait(lambda _: _stale(old))
        browser.wait(lambda dr: dr.execute_script("return document.readyState") == "complete")

    # --- the events, sent before the browser looks -------------------------
    seqs = {}
    for n in range(BULK):
        seqs[f"evt_bulk_{n}"] = pipe.send(f"evt_bulk_{n}", n=n)
    time.sleep(1.2)
    middle = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    time.sleep(1.2)
    seqs["evt_xss_script"] = pipe.send("evt_xss_script", note=SCRIPT_XSS)
    seqs["evt_xss_img"] = pipe.send("evt_xss_img", note=IMG_XSS)
    seqs[ID_XSS] = pipe.send(ID_XSS, note="its id is the payload")
    seqs["evt_poison_retry"] = pipe.send("evt_poison_retry", poison=True, note=STDERR_XSS)
    seqs["evt_poison_drop"] = pipe.send("evt_poison_drop", poison=True, note=STDERR_XSS)
    for n in range(3):
        pipe.send_github(json.dumps({"action": "opened", "number": n, "title": SCRIPT_XSS}))
    checks.that("every event stored", pipe.last_seq() == BULK + 8, f"newest seq {pipe.last_seq()}")
    checks.that("both poison events dead-lettered", wait_until(lambda: len(pipe.letters()) == 2, timeout=60),
                f"letters: {pipe.letters()}")
    checks.that("the chain settled everything", pipe.settled(), f"checkpoint {pipe.checkpoint()} of {pipe.last_seq()}")
    letters = pipe.letters()

    # --- overview ---------------------------------------------------------
    def overview():
        browser.open(base + "/console/")
        checks.that("overview: title", "Overview" in d.title, d.title)
        names = browser.attributes("table#stages tr.stage[data-name]", "data-name")
        checks.that("overview: both stages listed in chain order", names == ["picky", "tag"], names)
        restarts = browser.texts("table#stages tr.stage[data-name=picky] .restarts")
        checks.that("overview: picky's restarts counted (it exited on the poison events)",
                    restarts and restarts[0].strip().isdigit() and int(restarts[0]) >= 2, restarts)
        stderr = browser.texts("table#stages tr.stage[data-name=picky] pre.stderr")
        checks.that("overview: picky's stderr shown as text", stderr and STDERR_XSS in stderr[0], stderr)
        want = {"last-seq": str(pipe.last_seq()), "checkpoint": str(pipe.checkpoint()), "backlog": "0", "dead-letter-count": "2"}
        got = {key: browser.text("#" + key) for key in want}
        checks.that("overview: newest seq, checkpoint, backlog and dead letters match the store", got == want, f"{got} != {want}")
        checks.that("overview: integrity reported", "no damage" in (browser.text("#integrity") or ""), browser.text("#integrity"))
        for source, count in pipe.accepted.items():
            accepted = browser.text(f"table#sources tr[data-source={source}] .accepted")
            checks.that(f"overview: {source}'s accepted requests", accepted == str(count), f"{accepted} != {count}")
            charts = browser.texts(f"table#sources tr[data-source={source}] svg.chart rect")
            checks.that(f"overview: {source} has a chart", len(charts) > 0, "no svg rect")
        page_is_clean("overview")
        browser.shot("overview")
        generated = browser.text("#generated")
        # console.js refreshes the section every 5 s (and stamps the footer).
        refreshed = wait_until(lambda: browser.text("#generated") != generated, timeout=15, interval=0.3)
        checks.that("overview: refreshed itself by script within 15 s", refreshed, f"still {generated}")
        names = browser.attributes("table#stages tr.stage[data-name]", "data-name")
        checks.that("overview: stages still listed after the refresh", names == ["picky", "tag"], names)
        page_is_clean("overview after refresh")
    checks.section("overview", overview)

    # --- events: list, paging, filters ------------------------------------
    def events():
        browser.open(base + "/console/events")
        first = event_seqs()
        checks.that("events: first page lists events", len(first) > 0, d.page_source[:300])
        checks.that("events: newest first", first == sorted(first, reverse=True) and first[:1] == [pipe.last_seq()], first[:5])
        page_is_clean("events")
        browser.shot("events")
        # Follow #older to the first event: every seq exactly once, descending.
        seen, pages = list(first), 1
        while d.find_elements(By.CSS_SELECTOR, "a#older") and pages < 30:
            href = d.find_element(By.CSS_SELECTOR, "a#older").get_attribute("href")
            checks.that("events: #older pages by before_seq", "before_seq=" in href, href)
            old = d.find_element(By.CSS_SELECTOR, "table#events")
            d.find_element(By.CSS_SELECTOR, "a#older").click()
            browser.wait(lambda _: _stale(old))
            page = event_seqs()
            checks.that(f"events: page {pages + 1} continues below page {pages}", page and seen and max(page) < min(seen),
                        f"{page[:3]} after {seen[-3:]}")
            seen += page
            pages += 1
        facts["event_pages"] = pages
        checks.that("events: more than one page", pages > 1, f"{pages} page(s) of {len(first)}")
        checks.that("events: paging reaches every event once", seen == list(range(pipe.last_seq(), 0, -1)),
                    f"{len(seen)} rows, {len(set(seen))} distinct, newest {seen[:1]}, oldest {seen[-1:]}")

        submit_filter(source="github")
        rows = browser.texts("table#events tbody tr[data-seq] td:nth-child(3)")
        checks.that("events: source filter", len(rows) == 3 and set(rows) == {"github"} and "source=github" in d.current_url,
                    f"{rows} at {d.current_url}")

        submit_filter(id=ID_XSS)
        rows = event_seqs()
        checks.that("events: id filter finds the one event", rows == [seqs[ID_XSS]], rows)
        checks.that("events: the id is shown as text", browser.texts("table#events tbody tr td.id") == [ID_XSS],
                    browser.texts("table#events tbody tr td.id"))
        value = d.find_element(By.CSS_SELECTOR, "form#filter input[name=id]").get_attribute("value")
        checks.that("events: the filter keeps the id as typed", value == ID_XSS, value)
        page_is_clean("events filtered by a hostile id")

        submit_filter(outcome="dead-lettered")
        rows = sorted(event_seqs())
        want = sorted(seq for _, seq in letters.values())
        checks.that("events: dead-lettered filter", rows == want, f"{rows} != {want}")
        submit_filter(outcome="delivered")
        rows = set(event_seqs())
        checks.that("events: delivered filter leaves out the dead letters and pending events",
                    rows and not rows & set(want) and max(rows) <= pipe.checkpoint(), sorted(rows)[-5:])

        submit_filter(before=middle)
        rows = event_seqs()
        checks.that("events: 'before' filter ends at the last event sent before it",
                    rows[:1] == [seqs[f"evt_bulk_{BULK - 1}"]], f"{rows[:3]} (before {middle})")

        submit_filter(before="yesterday-ish")
        problem = browser.text("#problem")
        checks.that("events: a bad filter is explained in #problem", bool(problem), d.page_source[:300])
        checks.that("events: the page still lists events under a bad filter", len(event_seqs()) > 0, d.current_url)
        page_is_clean("events with a bad filter")
    checks.section("events", events)

    # --- pending: the chain waits while "paused" exists -------------------
    def pending():
        pipe.flag("paused", True)
        try:
            held = [pipe.send(f"evt_paused_{n}", n=n) for n in range(3)]
            submit_filter(outcome="pending")
            rows = event_seqs()
            checks.that("events: pending filter shows the events the paused chain holds", set(held) <= set(rows), f"{rows} vs {held}")
            browser.open(f"{base}/console/events/{held[-1]}")
            classes = d.find_element(By.CSS_SELECTOR, "#position").get_attribute("class")
            checks.that("event: a held event's position is pending", "pending" in classes,
                        f"{classes}: {browser.text('#position')}")
        finally:
            pipe.flag("paused", False)
        checks.that("the chain settled the held events", pipe.settled(), f"checkpoint {pipe.checkpoint()} of {pipe.last_seq()}")
    checks.section("pending", pending)

    # --- one event ---------------------------------------------------------
    def event():
        submit_filter(id="evt_xss_img")
        link = d.find_element(By.CSS_SELECTOR, "table#events tbody tr[data-seq] a.event-link")
        link.click()
        browser.wait(lambda dr: dr.current_url.rstrip("/").endswith(f"/console/events/{seqs['evt_xss_img']}"))
        facts_text = browser.text("#event-facts") or ""
        checks.that("event: facts name the source and id", "stripe" in facts_text and "evt_xss_img" in facts_text, facts_text)
        checks.that("event: position says delivered", (browser.text("#position") or "").startswith("delivered"),
                    browser.text("#position"))
        signature = browser.text("#signature") or ""
        checks.that("event: signature shows the scheme", "stripe" in signature, signature)
        envelope = browser.text("pre#envelope") or ""
        checks.that("event: the payload is in the envelope as text", IMG_XSS in envelope, envelope[:300])
        try:
            parsed = json.loads(envelope)
            checks.that("event: the envelope is the event's JSON", parsed.get("payload", {}).get("note") == IMG_XSS
                        and parsed.get("seq") == seqs["evt_xss_img"], envelope[:300])
        except ValueError as error:
            checks.that("event: the envelope is JSON", False, f"{error}: {envelope[:300]}")
        page_is_clean("event with an <img onerror> payload")
        browser.shot("event")

        browser.open(f"{base}/console/events/{seqs['evt_xss_script']}")
        checks.that("event: <script> payload shown as text", SCRIPT_XSS in (browser.text("pre#envelope") or ""),
                    browser.text("pre#envelope"))
        page_is_clean("event with a <script> payload")
        browser.open(f"{base}/console/events/{seqs[ID_XSS]}")
        checks.that("event: a hostile id shown as text", browser.text("#event-id") == ID_XSS, browser.text("#event-id"))
        page_is_clean("event with a hostile id")
        browser.open(f"{base}/console/events/{seqs['evt_poison_drop']}")
        checks.that("event: a dead-lettered event's position", (browser.text("#position") or "").startswith("dead-lettered"),
                    browser.text("#position"))
        status, _, _ = pipe.get(f"/console/events/{pipe.last_seq() + 1000}")
        checks.that("event: an unknown seq answers 404", status == 404, status)
    checks.section("event", event)

    # --- dead letters: retry and drop --------------------------------------
    def dead_letters():
        browser.open(base + "/console/dead-letters")
        ids = sorted(int(i) for i in browser.attributes("table#dead-letters tbody tr[data-id]", "data-id"))
        checks.that("dead letters: both listed", ids == sorted(letter for letter, _ in letters.values()), ids)
        stderr = browser.texts("table#dead-letters tbody pre.stderr")
        checks.that("dead letters: the stage's stderr shown as text", len(stderr) == 2 and all(STDERR_XSS in s for s in stderr), stderr)
        page_is_clean("dead letters")
        browser.shot("dead-letters")

        retry_letter, retry_seq = letters["evt_poison_retry"]
        pipe.flag("cured", True)
        row = d.find_element(By.CSS_SELECTOR, f"table#dead-letters tr[data-id='{retry_letter}']")
        row.find_element(By.CSS_SELECTOR, "form.retry button").click()
        browser.wait(lambda _: _stale(row))
        flash = browser.text("#flash") or ""
        checks.that("dead letters: retry confirmed in #flash", "retried" in flash, flash or page_text())
        ids = [int(i) for i in browser.attributes("table#dead-letters tbody tr[data-id]", "data-id")]
        checks.that("dead letters: the retried letter left the list", retry_letter not in ids, ids)
        reached = wait_until(lambda: [e for e in pipe.output() if e.get("id") == "evt_poison_retry"], timeout=30)
        checks.that("dead letters: the retried event reached the chain's output", reached, "not in out.ndjson")
        if reached:
            checks.that("dead letters: the output copy names its original", str(reached[0].get("replay_of")) == str(retry_seq),
                        reached[0])

        drop_letter, _ = letters["evt_poison_drop"]
        row = d.find_element(By.CSS_SELECTOR, f"table#dead-letters tr[data-id='{drop_letter}']")
        row.find_element(By.CSS_SELECTOR, "form.drop button").click()
        browser.wait(lambda _: _stale(row))
        flash = browser.text("#flash") or ""
        checks.that("dead letters: drop confirmed in #flash", "dropped" in flash, flash or page_text())
        checks.that("dead letters: the list is empty", bool(d.find_elements(By.CSS_SELECTOR, "#no-letters")),
                    browser.attributes("table#dead-letters tbody tr[data-id]", "data-id"))
        checks.that("dead letters: the store holds none", pipe.letters() == {}, pipe.letters())
        page_is_clean("dead letters after retry and drop")
    checks.section("dead letters", dead_letters)

    # --- replay -----------------------------------------------------------
    def replay():
        original = seqs["evt_bulk_0"]
        browser.open(f"{base}/console/events/{original}")
        form = d.find_element(By.CSS_SELECTOR, "form#replay")
        checks.that("replay: the form posts with a token", form.get_attribute("method").lower() == "post"
                    and bool(form.find_element(By.NAME, "csrf").get_attribute("value")))
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        browser.wait(lambda _: _stale(form))
        flash = browser.text("#flash") or ""
        checks.that("replay: confirmed in #flash", f"Replayed event {original}" in flash, flash or page_text())
        copies = wait_until(lambda: [e for e in pipe.output() if e.get("id") == "evt_bulk_0" and e.get("replay_of") is not None],
                            timeout=30)
        checks.that("replay: the copy reached the chain's output", copies, "not in out.ndjson")
        if copies:
            checks.that("replay: the copy's page is shown", d.current_url.split("?")[0].endswith(f"/console/events/{copies[0]['seq']}"),
                        d.current_url)
    checks.section("replay", replay)

    # --- live tail --------------------------------------------------------
    def tail():
        browser.open(base + "/console/tail")
        browser.wait(lambda _: browser.text("#tail-state") == "connected", timeout=15)
        plain = pipe.send("evt_tail_1", n=1)
        hostile = pipe.send(TAIL_XSS, note=SCRIPT_XSS)
        shown = wait_until(lambda: {int(s) for s in browser.attributes("tbody#tail tr[data-seq]", "data-seq")} >= {plain, hostile},
                           timeout=15)
        checks.that("tail: events sent after the page opened appear", shown,
                    browser.attributes("tbody#tail tr[data-seq]", "data-seq"))
        ids = browser.texts("tbody#tail tr td.id")
        checks.that("tail: a hostile id shown as text", TAIL_XSS in ids, ids)
        checks.that("tail: newest on top", ids[:1] == [TAIL_XSS], ids)
        page_is_clean("live tail")
        browser.shot("tail")
    checks.section("tail", tail)

    # --- refusals, without a browser --------------------------------------
    def refusals():
        pipe.flag("cured", False)
        pipe.send("evt_poison_last", poison=True, note="left for the refusals")
        checks.that("a third dead letter", wait_until(lambda: "evt_poison_last" in pipe.letters(), timeout=60), pipe.letters())
        letter, _ = pipe.letters()["evt_poison_last"]
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in d.get_cookies())
        status, _, text = pipe.request("POST", f"/console/dead-letters/{letter}/drop", "",
                                       {**form, "Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"})
        checks.that("refused: a cross-site POST without the token (403)", status == 403, f"{status} {text[:120]}")
        status, _, text = pipe.request("POST", f"/console/dead-letters/{letter}/drop", "csrf=forged",
                                       {**form, "Origin": "http://evil.example", "Cookie": cookie})
        checks.that("refused: a cross-origin POST with the session cookie and a forged token (403)", status == 403,
                    f"{status} {text[:120]}")
        status, _, text = pipe.request("POST", f"/console/dead-letters/{letter}/drop", "", {**form, "Cookie": cookie})
        checks.that("refused: a same-origin POST without the token (403)", status == 403, f"{status} {text[:120]}")
        try:
            urllib.request.urlopen(urllib.request.Request(
                f"{base}/console/dead-letters/{letter}/retry", data=b"", method="POST",
                headers={**form, "Origin": "http://evil.example"}), timeout=10)
            status = 200
        except urllib.error.HTTPError as error:
            status = error.code
        checks.that("refused (urllib): a cross-origin POST without the token (403)", status == 403, status)
        status, _, _ = pipe.request("GET", "/console/", None, {"Host": f"evil.example:{pipe.admin_port}"})
        checks.that("refused: a page asked for by a foreign Host (DNS rebinding)", status == 421, status)
        checks.that("refused requests changed nothing", letter in [x for x, _ in pipe.letters().values()], pipe.letters())
        headers = pipe.get("/console/")[1]
        checks.that("pages carry a CSP allowing only this origin's script",
                    "script-src 'self'" in headers.get("content-security-policy", ""), headers.get("content-security-policy"))
    checks.section("refusals", refusals)
    return facts


def _stale(element):
    """True once `element` left the document (the next page replaced it)."""
    from selenium.common.exceptions import StaleElementReferenceException
    try:
        element.is_enabled()
        return False
    except StaleElementReferenceException:
        return True


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=None)
    parser.add_argument("--screenshots", metavar="DIR", default=os.environ.get("HOOKPIPE_CONSOLE_SCREENSHOTS") or None,
                        help="save overview.png, events.png, event.png, dead-letters.png and tail.png here "
                             "(default: $HOOKPIPE_CONSOLE_SCREENSHOTS; none when unset)")
    parser.add_argument("--check-tools", action="store_true", help="only say whether the tools are here (exit 0) or not (exit 3)")
    parser.add_argument("--timeout", type=float, default=300, help="give up (exit 2) after this many seconds")
    args = parser.parse_args()
    missing = missing_tools()
    if args.check_tools or missing:
        print(json.dumps({"ok": not missing, "missing": missing}))
        return 3 if missing else 0
    binary = args.binary or default_binary()
    if args.screenshots:
        os.makedirs(args.screenshots, exist_ok=True)
    start = time.time()
    pipe = browser = None

    def give_up():
        print(json.dumps({"ok": False, "failures": [f"timed out after {args.timeout:.0f} s"]}), flush=True)
        for cleanup in (lambda: browser and browser.quit(), lambda: pipe and pipe.daemon.kill()):
            try:
                cleanup()
            except Exception:  # noqa: BLE001 - exiting anyway
                pass
        os._exit(2)
    watchdog = threading.Timer(args.timeout, give_up)
    watchdog.daemon = True
    watchdog.start()

    checks = Checks()
    facts, log = {}, ""
    try:
        pipe = Pipeline(binary)
        browser = Browser(args.screenshots)
        facts = walk(pipe, browser, checks)
    except Exception as error:  # noqa: BLE001 - reported in the JSON line
        checks.failures.append(f"setup: {type(error).__name__}: {error}"[:600])
        traceback.print_exc(file=sys.stderr)
    finally:
        if browser:
            browser.quit()
        if pipe:
            status, _ = pipe.daemon.terminate(timeout=30)
            checks.that("daemon stopped cleanly", status == 0, f"exit {status}; log:\n{pipe.daemon.tail(20)}")
            if checks.failures:
                log = pipe.daemon.tail(30)
            pipe.ws.remove()
    watchdog.cancel()
    result = {"ok": not checks.failures, "checks": checks.passed + len(checks.failures), "failures": checks.failures,
              "seconds": round(time.time() - start, 1), "screenshots": browser.saved if browser else [], **facts}
    if log:
        result["daemon_log"] = log
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
