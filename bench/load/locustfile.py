"""Load on ``make stack`` from outside: residents, the platform and support staff, over HTTP only.

    .venv/bin/locust -f bench/load/locustfile.py --host http://127.0.0.1:8000 --sandbox http://127.0.0.1:8100

(``bench/load/run_load.py`` runs the steps and the soak and writes ``bench/results/``.) Nothing here imports the
hub or the tests: a phone app, an agency platform and a support console know only the hub's HTTP API and, for
the sandbox's test sign-in, the sandbox's.

- **Residents** (most users): each is a sandbox resident ``resident-<n>`` of their own, on an address of
  their own (``X-Forwarded-For``; run the stack with ``TRUSTED_PROXIES=1``, as behind a load balancer, so the
  per-address limits see many phones, not the load generator). They sign in at the sandbox identity provider
  and exchange the ID token, register a phone, then read benefits, the inbox, open actions and their profile;
  now and then they sign out and in again (a new session and a new registration).
- **The platform**: moves the sandbox's scenario a day ahead every few seconds; the sandbox then posts that
  day's signed change events to the hub (sync → outbox → Celery → pushes), and ``run_load.py`` checks that
  every one was delivered.
- **Support staff**: sign in at the workforce provider, look residents up by case number, read them, their
  benefits and notifications (each read an audit event, each with a reason), and now and then resend one.

Every user asks for at most one request per second (``constant_throughput``), so the offered rate is about the
number of users; the step whose answered rate keeps up with the offered one, with no error, is sustained.
"""

from __future__ import annotations

import itertools
import random
import threading

from locust import FastHttpUser, constant_throughput, events, task

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105 (a grant type)
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"  # noqa: S105 (a token type)
REASON = "Caller asked about a recent notice on the case"

_residents = itertools.count(1)
_addresses = itertools.count(1)
_case_numbers: list[str] = []
_case_lock = threading.Lock()


@events.init_command_line_parser.add_listener
def _options(parser) -> None:
    parser.add_argument("--sandbox", default="http://127.0.0.1:8100", help="the sandbox's base URL")
    parser.add_argument("--sandbox-residents", type=int, default=1000, help="resident-1 … resident-N to sign in")
    parser.add_argument("--advance-every", type=float, default=5.0, help="seconds between platform days")


def _address() -> str:
    n = next(_addresses)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


class _Signed(FastHttpUser):
    abstract = True
    wait_time = constant_throughput(1)

    def on_start(self) -> None:
        self.forwarded = {"X-Forwarded-For": _address()}
        self.sandbox = self.environment.parsed_options.sandbox.rstrip("/")

    def id_token(self, provider: str, persona: str) -> str | None:
        with self.rest(
            "POST", f"{self.sandbox}/{provider}/test-login", json={"persona": persona}, name=f"sandbox {provider} login"
        ) as response:
            if response.status_code == 200:
                return response.js["id_token"]
            response.failure(f"{response.status_code}")
        return None

    def exchange(self, provider: str, persona: str, client_id: str) -> dict | None:
        token = self.id_token(provider, persona)
        if token is None:
            return None
        body = {
            "grant_type": TOKEN_EXCHANGE,
            "subject_token": token,
            "subject_token_type": ID_TOKEN,
            "client_id": client_id,
        }
        with self.rest("POST", "/v1/auth/token", json=body, headers=self.forwarded, name="sign in") as response:
            if response.status_code == 200:
                return response.js
            response.failure(f"{response.status_code} {response.text[:200]}")
        return None

    def get(self, path: str, name: str, **kwargs) -> dict | None:
        with self.rest("GET", path, headers={**self.headers, **kwargs.pop("headers", {})}, name=name, **kwargs) as r:
            if r.status_code == 200:
                return r.js
            r.failure(f"{r.status_code} {r.text[:200]}")
        return None


class Resident(_Signed):
    """A phone: sign in, register for push, read; sometimes a new session."""

    weight = 16

    def on_start(self) -> None:
        super().on_start()
        options = self.environment.parsed_options
        self.persona = f"resident-{(next(_residents) - 1) % options.sandbox_residents + 1}"
        self.headers: dict[str, str] = {}
        self.session_ = None
        self.new_session()
        with self.client.get(
            f"{self.sandbox}/platform/sim/letters",
            params={"persona": self.persona},
            name="sandbox letters",
            catch_response=True,
        ) as response:
            if response.status_code == 200:
                numbers = [letter["case_number"] for letter in response.json().get("letters", [])]
                with _case_lock:
                    _case_numbers.extend(numbers[:1])

    def new_session(self) -> None:
        if self.session_ is not None:
            with self.rest("POST", "/v1/auth/logout", headers=self.headers, name="sign out") as response:
                if response.status_code not in {200, 204}:
                    response.failure(f"{response.status_code}")
        self.session_ = self.exchange("idp", self.persona, "sandbox-app")
        if self.session_ is None:
            self.headers = {}
            return
        self.headers = {**self.forwarded, "Authorization": f"Bearer {self.session_['access_token']}"}
        device = {
            "platform": random.choice(["ios", "android"]),
            "push_token": f"load-{self.persona}-{random.getrandbits(64):016x}",
            "app_id": "sandbox-app",
            "locale": "en",
        }
        with self.rest("POST", "/v1/me/devices", json=device, headers=self.headers, name="register device") as r:
            if r.status_code != 201:
                r.failure(f"{r.status_code} {r.text[:200]}")

    @task(6)
    def benefits(self) -> None:
        if self.headers:
            self.get("/v1/me/benefits", "GET /v1/me/benefits")

    @task(4)
    def inbox(self) -> None:
        if self.headers:
            self.get("/v1/me/notifications", "GET /v1/me/notifications")

    @task(2)
    def actions(self) -> None:
        if self.headers:
            self.get("/v1/me/actions", "GET /v1/me/actions")

    @task(1)
    def profile(self) -> None:
        if self.headers:
            self.get("/v1/me", "GET /v1/me")

    @task(1)
    def sign_in_again(self) -> None:
        self.new_session()


class Platform(FastHttpUser):
    """The agency platform: a scenario day every ``--advance-every`` seconds (its events go to the hub)."""

    weight = 1
    fixed_count = 1

    def wait_time(self) -> float:
        return self.environment.parsed_options.advance_every

    @task
    def advance(self) -> None:
        sandbox = self.environment.parsed_options.sandbox.rstrip("/")
        with self.rest("POST", f"{sandbox}/platform/sim/advance", json={"days": 1}, name="platform day") as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")


class Support(_Signed):
    """A support agent: lookups by case number and reads with a reason; sometimes a resend."""

    weight = 2

    def on_start(self) -> None:
        super().on_start()
        self.headers = {}
        session = self.exchange("staff-idp", random.choice(["sophie", "omar"]), "support-console")
        if session is not None:
            self.headers = {
                **self.forwarded,
                "Authorization": f"Bearer {session['access_token']}",
                "X-Access-Reason": REASON,
            }

    def resident(self) -> str | None:
        with _case_lock:
            number = random.choice(_case_numbers) if _case_numbers else None
        if not number or not self.headers:
            return None
        found = self.get("/v1/admin/residents", "GET /v1/admin/residents?case_number", params={"case_number": number})
        data = (found or {}).get("data") or []
        return data[0]["id"] if data else None

    @task(3)
    def look_and_read(self) -> None:
        resident_id = self.resident()
        if resident_id:
            self.get(f"/v1/admin/residents/{resident_id}", "GET /v1/admin/residents/{id}")
            self.get(f"/v1/admin/residents/{resident_id}/benefits", "GET /v1/admin/residents/{id}/benefits")

    @task(1)
    def notifications_and_resend(self) -> None:
        resident_id = self.resident()
        if not resident_id:
            return
        messages = self.get(
            f"/v1/admin/residents/{resident_id}/notifications", "GET /v1/admin/residents/{id}/notifications"
        )
        newest = ((messages or {}).get("data") or [None])[0]
        if newest and random.random() < 0.3:
            with self.rest(
                "POST",
                f"/v1/admin/notifications/{newest['id']}/resend",
                headers=self.headers,
                name="POST /v1/admin/notifications/{id}/resend",
            ) as r:
                if r.status_code not in {200, 409}:  # 409: the resident stopped sharing that agency
                    r.failure(f"{r.status_code} {r.text[:200]}")
