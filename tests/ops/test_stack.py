"""``make stack`` booted for real and driven from outside, over HTTP, as two machines behind a load balancer would
be used: two web nodes (two gunicorn masters, each with two workers) and two Celery nodes against one PostgreSQL
and one Redis, one beat, the sandbox, pushes through firebase-admin to the fake FCM server.

It walks the story (sign in, benefits, a device, the sandbox a week ahead, the pushes arriving through Celery,
support's resend), shows that sessions, rate limits, revocation and the outbox behave across the two nodes as
on one, then SIGKILLs every Celery pool process while pushes are in flight (the fake FCM server holds its
answers) and a gunicorn worker, and shows that nothing is lost: the masters replace their processes, the
outbox drains and every message reaches its phone.

One test function, so that one stack boots once whatever pytest-xdist does. It needs PostgreSQL
(``TEST_DATABASE_URL``) and a Redis database of its own (``TEST_STACK_REDIS_URL``, flushed: ``make test`` under
``CI=true`` gives it db 14); without them it skips, except under ``CI=true`` when PostgreSQL is there.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from notifications.delivery import SEND_EVERY_SECONDS, SENDING_LEASE

ROOT = Path(__file__).resolve().parent.parent.parent
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"
REASON = {"X-Access-Reason": "Caller asked why her SNAP shows a document due"}
PERSONAS = ("maria", "james", "ana")
# A push a killed sender had claimed goes out again once its lease has run out (up to SENDING_LEASE after the
# sender's last renewal) and the next periodic send takes it back (every SEND_EVERY_SECONDS), plus a margin for the
# send itself on a loaded machine: a 30 s wait raced the 30 s lease and failed about one run in eight.
RECLAIM_WITHIN = SENDING_LEASE.total_seconds() + SEND_EVERY_SECONDS + 20

pytestmark = [pytest.mark.slow, pytest.mark.stack]


# -- booting ----------------------------------------------------------------------------------------------------
def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _ports(first: int, last: int) -> tuple[int, int, int]:
    """(web base, sandbox, fake FCM): the base and base+1 free for the two web nodes."""
    free = [port for port in range(first, last + 1) if _free(port)]
    base = next(port for port in free if port + 1 in free)
    others = [port for port in free if port not in {base, base + 1}]
    return base, others[0], others[1]


def _stack_settings() -> tuple[str, str]:
    database = os.environ.get("TEST_DATABASE_URL", "")
    redis_url = os.environ.get("TEST_STACK_REDIS_URL", "")
    if not database or not redis_url:
        if database and os.environ.get("CI") == "true":
            pytest.fail("CI must boot the stack: TEST_STACK_REDIS_URL is not set (make test sets it)")
        pytest.skip("the stack test needs TEST_DATABASE_URL and TEST_STACK_REDIS_URL (make test sets them under CI)")
    return database, redis_url


class Stack:
    """The running stack: where each part answers, its processes, and its database."""

    def __init__(self, folder: Path, database_server: str, redis_url: str) -> None:
        base, sandbox_port, fcm_port = _ports(9800, 9899)
        parts = urlsplit(database_server)
        self.database_url = urlunsplit((parts.scheme, parts.netloc, f"/hub_stack_{uuid.uuid4().hex[:8]}", "", ""))
        self.redis_url = redis_url
        self.web = [f"http://127.0.0.1:{base}", f"http://127.0.0.1:{base + 1}"]
        self.sandbox = f"http://127.0.0.1:{sandbox_port}"
        self.fcm = f"http://127.0.0.1:{fcm_port}"
        self.log = folder / "stack.log"
        self.env = {
            **os.environ,
            "PORT": str(base),
            "SANDBOX_PORT": str(sandbox_port),
            "FCM_PORT": str(fcm_port),
            "STACK_DIR": str(folder / "state"),
            "STACK_DATABASE_URL": self.database_url,
            "STACK_REDIS_URL": redis_url,
            "STACK_FORMATION": "web=2,worker=2",
            "WEB_CONCURRENCY": "2",
            "WEB_THREADS": "4",
            "CELERY_CONCURRENCY": "2",
            "SANDBOX_RESIDENTS": "50",
        }
        self.process: subprocess.Popen | None = None
        self.seen: set[int] = set()  # every pid of the stack ever listed, so none outlives the test

    def start(self) -> None:
        import redis

        redis.Redis.from_url(self.redis_url).flushdb()
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "ops.stack", "up"],
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        began = time.monotonic()
        ready = [f"{url}/readyz" for url in self.web] + [
            f"{self.sandbox}/platform/sim/state",
            f"{self.fcm}/_fake/stats",
        ]
        deadline = time.monotonic() + 90
        for url in ready:
            while True:
                assert self.process.poll() is None, f"the stack exited:\n{self.tail()}"
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(url, timeout=2).status_code == 200:
                        break
                assert time.monotonic() < deadline, f"{url} did not answer:\n{self.tail()}"
                time.sleep(0.25)
        self.boot_seconds = time.monotonic() - began

    def tail(self, lines: int = 60) -> str:
        """The stack's last lines, without access lines (what went wrong is in the others)."""
        text = self.log.read_text(errors="replace").splitlines()
        return "\n".join([line for line in text if '"hub.access"' not in line and '" 200 -' not in line][-lines:])

    def processes(self) -> dict[int, tuple[int, str]]:
        """pid → (parent pid, command line) of every live process descending from the stack's honcho."""
        assert self.process is not None
        table = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            state, parent = stat.rsplit(")", 1)[1].split()[:2]
            if state != "Z":
                table[int(entry.name)] = (int(parent), command)
        found, frontier = {}, [self.process.pid]
        while frontier:
            parent = frontier.pop()
            for pid, (ppid, command) in table.items():
                if ppid == parent and pid not in found:
                    found[pid] = (ppid, command)
                    frontier.append(pid)
        if self.process.pid in table:
            found[self.process.pid] = table[self.process.pid]
        self.seen.update(found)
        return found

    def children_of(self, kind: Callable[[str], bool]) -> dict[int, list[int]]:
        """For each master whose command line ``kind`` picks: its child processes of the same command."""
        table = self.processes()
        masters = [
            pid for pid, (parent, command) in table.items() if kind(command) and not kind(table.get(parent, (0, ""))[1])
        ]
        return {
            master: sorted(pid for pid, (parent, _) in table.items() if parent == master and kind(table[pid][1]))
            for master in masters
        }

    def stop(self) -> None:
        """Ctrl-C, as an operator would; then nothing of the stack may be left running (honcho starts each
        process in a session of its own, so every pid seen before is checked, orphans included)."""
        if self.process is None:
            return
        self.processes()
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=30)
            deadline = time.monotonic() + 10
            while _alive(self.seen) and time.monotonic() < deadline:
                time.sleep(0.2)
            left = _alive(self.seen)
        finally:
            for pid in _alive(self.seen | {self.process.pid}):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        assert left == set(), f"Ctrl-C left processes running: {left}"

    def drop_database(self) -> None:
        subprocess.run(
            [sys.executable, "-m", "ops.stack", "reset"], cwd=ROOT, env=self.env, capture_output=True, check=False
        )


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            if (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                alive.add(pid)
    return alive


def is_gunicorn(command: str) -> bool:
    return "gunicorn" in command and "wsgi:app" in command


def is_celery_worker(command: str) -> bool:
    return "celery" in command and " worker " in command


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    database, redis_url = _stack_settings()
    running = Stack(tmp_path_factory.mktemp("stack"), database, redis_url)
    try:
        running.start()
        yield running
        running.stop()
    finally:
        with contextlib.suppress(Exception):
            running.stop()
        running.drop_database()


# -- what a phone and a support console do ---------------------------------------------------------------------
def wait_until(condition: Callable[[], object], timeout: float, what: str, stack: Stack) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what} within {timeout} s\n{stack.tail()}"
        time.sleep(0.5)


def id_token(stack: Stack, persona: str, provider: str = "idp") -> str:
    response = httpx.post(f"{stack.sandbox}/{provider}/test-login", json={"persona": persona}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["id_token"]


def sign_in(stack: Stack, node: str, persona: str, client_id: str = "sandbox-app", provider: str = "idp") -> dict:
    body = {
        "grant_type": TOKEN_EXCHANGE,
        "subject_token": id_token(stack, persona, provider),
        "subject_token_type": ID_TOKEN,
        "client_id": client_id,
    }
    response = httpx.post(f"{node}/v1/auth/token", json=body, timeout=15)
    assert response.status_code == 200, response.text
    return response.json()


def bearer(tokens: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def pushes(stack: Stack, token: str) -> list[dict]:
    return httpx.get(f"{stack.fcm}/_fake/pushes", params={"token": token}, timeout=5).json()["pushes"]


def accepted_message_ids(stack: Stack, token: str) -> list[str]:
    return [push["data"]["message_id"] for push in pushes(stack, token) if push["status"] == 200]


def inbox(node: str, tokens: dict) -> list[dict]:
    response = httpx.get(f"{node}/v1/me/notifications", headers=bearer(tokens), params={"limit": 100}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def outbox_backlog(stack: Stack) -> int:
    import psycopg

    with psycopg.connect(stack.database_url, connect_timeout=5) as connection:
        return connection.execute("SELECT count(*) FROM outbox_events WHERE processed_at IS NULL").fetchone()[0]


def deliveries_in(stack: Stack, *states: str) -> int:
    import psycopg

    with psycopg.connect(stack.database_url, connect_timeout=5) as connection:
        query = "SELECT count(*) FROM push_deliveries WHERE state = ANY(%s)"
        return connection.execute(query, (list(states),)).fetchone()[0]


def unpushed(stack: Stack, node: str, residents: dict[str, dict], devices: dict[str, str]) -> dict[str, list]:
    """Per resident, the inbox messages that have not reached their phone (empty when every one has)."""
    missing = {}
    for persona, tokens in residents.items():
        pushed = set(accepted_message_ids(stack, devices[persona]))
        messages = inbox(node, tokens)
        left = [(m["category"], m["created_at"]) for m in messages if m["id"] not in pushed]
        if left or (persona == "maria" and not messages):  # maria's week always writes to her inbox
            missing[persona] = left or ["an empty inbox"]
    return missing


def wait_for_every_push(stack: Stack, node: str, residents: dict[str, dict], devices: dict[str, str], timeout: float):
    deadline = time.monotonic() + timeout
    while missing := unpushed(stack, node, residents, devices):
        assert time.monotonic() < deadline, f"not pushed within {timeout} s: {missing}\n{stack.tail()}"
        time.sleep(0.5)


# -- the test ------------------------------------------------------------------------------------------------------
def test_the_stack_walks_the_story_across_two_nodes_and_loses_nothing_when_workers_die(stack):
    node_a, node_b = stack.web
    started = time.monotonic()
    print(f"stack booted in {stack.boot_seconds:.1f} s")

    # Sessions: signed in on node A, read on node B.
    residents = {persona: sign_in(stack, node_a, persona) for persona in PERSONAS}
    me = httpx.get(f"{node_b}/v1/me", headers=bearer(residents["maria"]), timeout=10)
    assert me.status_code == 200 and me.json()["identity_verified"] is True
    benefits = httpx.get(f"{node_b}/v1/me/benefits", headers=bearer(residents["maria"]), timeout=15)
    assert benefits.status_code == 200
    assert {record["program"]["code"] for record in benefits.json()["data"]} >= {"SNAP", "MEDICAID", "WIC"}
    assert all(source["status"] in {"fresh", "not_linked"} for source in benefits.json()["meta"]["sources"])

    # Devices, one per resident, registered on alternate nodes.
    devices = {persona: f"stack-{persona}-{uuid.uuid4().hex}" for persona in PERSONAS}
    for index, persona in enumerate(PERSONAS):
        response = httpx.post(
            f"{stack.web[index % 2]}/v1/me/devices",
            headers=bearer(residents[persona]),
            json={"platform": "android", "push_token": devices[persona], "app_id": "sandbox-app", "locale": "en"},
            timeout=10,
        )
        assert response.status_code == 201, response.text

    # The sandbox a week ahead: signed events → sync → outbox → Celery dispatch → firebase-admin → fake FCM.
    advanced = httpx.post(f"{stack.sandbox}/platform/sim/advance", json={"days": 7}, timeout=60)
    assert advanced.status_code == 200 and advanced.json()["events_emitted"] > 0
    wait_for_every_push(stack, node_a, residents, devices, 45)
    maria_inbox = inbox(node_b, residents["maria"])
    assert {message["category"] for message in maria_inbox} >= {"documents", "renewals"}
    for persona in PERSONAS:
        # The outbox with two Celery nodes: each change became one message and one push, never two.
        ids = accepted_message_ids(stack, devices[persona])
        assert len(ids) == len(set(ids)) == len(inbox(node_a, residents[persona])), (persona, ids)
        assert all(push["data"]["category"] for push in pushes(stack, devices[persona]))
    assert wait_until(lambda: outbox_backlog(stack) == 0 or None, 20, "the outbox drained", stack) is True

    # Support (on node B) finds maria by case number and resends her newest message: it reaches her phone again.
    staff = bearer(sign_in(stack, node_b, "sophie", client_id="support-console", provider="staff-idp"))
    found = httpx.get(
        f"{node_b}/v1/admin/residents", params={"case_number": "204815367"}, headers={**staff, **REASON}, timeout=10
    )
    assert found.status_code == 200, found.text
    resident_id = found.json()["data"][0]["id"]
    messages = httpx.get(f"{node_a}/v1/admin/residents/{resident_id}/notifications", headers={**staff, **REASON})
    newest = messages.json()["data"][0]["id"]
    resent = httpx.post(f"{node_b}/v1/admin/notifications/{newest}/resend", headers={**staff, **REASON}, timeout=10)
    assert resent.status_code == 200, resent.text
    wait_until(lambda: accepted_message_ids(stack, devices["maria"]).count(newest) == 2, 30, "the resend pushed", stack)

    # Rate limits live in Redis: a session's refreshes (10/minute) are counted across both nodes together.
    session = sign_in(stack, node_a, "sam")
    refresh_token, answers = session["refresh_token"], []
    for attempt in range(11):
        response = httpx.post(
            f"{stack.web[attempt % 2]}/v1/auth/token",
            json={"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": "sandbox-app"},
            timeout=10,
        )
        answers.append(response.status_code)
        if response.status_code == 200:
            refresh_token = response.json()["refresh_token"]
    assert answers == [200] * 10 + [429], answers

    # Revocation: signed out on node A, refused on node B at once.
    james = residents["james"]
    assert httpx.get(f"{node_b}/v1/me", headers=bearer(james)).status_code == 200
    assert httpx.post(f"{node_a}/v1/auth/logout", headers=bearer(james)).status_code in {200, 204}
    refused = httpx.get(f"{node_b}/v1/me", headers=bearer(james))
    assert refused.status_code == 401 and refused.headers["Content-Type"].startswith("application/problem+json")
    residents.pop("james")  # his device went with his session

    print(f"story, two nodes, limits and revocation in {time.monotonic() - started:.1f} s")

    # Kills. The fake FCM server holds every answer, the sandbox moves on (new changes for maria and ana), and
    # once a push is in flight every Celery pool process of both nodes is SIGKILLed, and one gunicorn worker.
    httpx.post(f"{stack.fcm}/_fake/slow", json={"seconds": 3})
    before = {persona: len(inbox(node_a, residents[persona])) for persona in residents}
    advanced = httpx.post(f"{stack.sandbox}/platform/sim/advance", json={"days": 23}, timeout=60)
    assert advanced.status_code == 200
    wait_until(lambda: httpx.get(f"{stack.fcm}/_fake/stats").json()["in_progress"] > 0, 30, "a push in flight", stack)
    celery_before = stack.children_of(is_celery_worker)
    web_before = stack.children_of(is_gunicorn)
    assert len(celery_before) == 2 and all(len(pool) == 2 for pool in celery_before.values()), celery_before
    assert len(web_before) == 2 and all(len(workers) == 2 for workers in web_before.values()), web_before
    sending_at_kill = deliveries_in(stack, "sending")
    assert sending_at_kill > 0  # the senders about to die hold claimed pushes
    killed_celery = [pid for pool in celery_before.values() for pid in pool]
    for pid in killed_celery:
        os.kill(pid, signal.SIGKILL)
    killed_web = next(iter(web_before.values()))[0]
    os.kill(killed_web, signal.SIGKILL)
    in_flight = httpx.get(f"{stack.fcm}/_fake/stats").json()["in_progress"]
    httpx.post(f"{stack.fcm}/_fake/slow", json={"seconds": 0})

    # The gunicorn master replaces its worker, and both nodes keep answering.
    def replaced(before: dict[int, list[int]], kind: Callable[[str], bool], killed: list[int]) -> bool:
        now = stack.children_of(kind)
        return (
            set(now) == set(before)
            and all(len(now[m]) == len(before[m]) for m in now)
            and not (set(killed) & {pid for pool in now.values() for pid in pool})
        )

    wait_until(lambda: replaced(web_before, is_gunicorn, [killed_web]), 30, "gunicorn replaced its worker", stack)
    wait_until(lambda: replaced(celery_before, is_celery_worker, killed_celery), 30, "Celery replaced its pool", stack)
    for node in stack.web:
        assert httpx.get(f"{node}/v1/me", headers=bearer(residents["maria"]), timeout=10).status_code == 200

    # Nothing lost: the new changes reached the inboxes, the outbox drained, every message reached its phone, and
    # the hub's own books agree: what the killed senders had claimed was taken back once their lease ended and
    # sent again, so no push is left queued or sending.
    wait_until(
        lambda: sum(len(inbox(node_b, residents[p])) for p in residents) > sum(before.values()),
        30,
        "the new changes in the inboxes",
        stack,
    )
    wait_for_every_push(stack, node_b, residents, devices, RECLAIM_WITHIN)
    wait_until(lambda: deliveries_in(stack, "queued", "sending") == 0 or None, 75, "no push queued or sending", stack)
    assert outbox_backlog(stack) == 0
    # A push the killed sender had in flight may arrive twice (FCM has no idempotency key), never more.
    for persona in residents:
        ids = accepted_message_ids(stack, devices[persona])
        repeats = len(ids) - len(set(ids)) - (1 if persona == "maria" else 0)  # maria's resend is one on purpose
        assert 0 <= repeats <= in_flight, (persona, ids, in_flight)
    print(f"{sending_at_kill} pushes claimed by the killed senders, {in_flight} in flight at FCM")
    print(f"kills and recovery done, {time.monotonic() - started:.1f} s in all")
    assert time.monotonic() - started < 150
