"""Push through Firebase Cloud Messaging (HTTP v1) with the real firebase-admin ``messaging.send``, one call per
push on the transport's own ``max_in_flight`` threads.

Each transport owns a uniquely named firebase app, because firebase-admin caches the messaging service (and
the FCM URL it read at creation) per app. Traps this module works around, all in firebase-admin 7.x:

- no option points messaging at another host: ``_MessagingService.FCM_URL`` is read once, when the app's
  messaging service is created, so we set it (under a lock, then restore it) while creating ours;
- 500/503 answers are retried inside the library (urllib3 ``Retry``: 4 retries, exponential backoff, and it
  honours ``Retry-After`` for up to six hours). A push held inside the library that long keeps its batch
  ``sending`` for as long, so we mount our own adapter for the FCM endpoint with ``BoundedRetry``: one quick
  retry, and a ``Retry-After`` longer than ``LONGEST_LIBRARY_WAIT_SECONDS`` is not waited for here: the answer
  goes back to the hub with its ``retry_after``, and the hub's own backoff reschedules the push
  (``notifications.delivery``). ``longest_request_seconds`` is the most one push can take, and it is well
  inside the sender's lease;
- ``send_each`` is not used: it starts a thread per message (500 for a full batch) on every call and answers only
  when all are done, and bounding what is in flight meant 500 threads queueing on one semaphore (profiled: a
  fifth of a push's CPU time in thread start-up and lock hand-offs). Our ``max_in_flight`` threads live as long
  as the transport, each takes the next push, calls ``messaging.send`` (the same encoding, headers, auth and
  error mapping) and tells its answer to ``on_result`` the moment it arrives, so a worker killed mid-batch
  repeats at most what was in flight; once ``stop`` is set the rest come back ``not_sent``;
- the session reads proxy settings (and ``~/.netrc``) from the environment on every request when
  ``trust_env`` is on: we read the proxies once, when the transport is built, and turn it off;
- the OAuth token exchange (google-auth, before the first push and once an hour) fails on its own: a token
  endpoint that does not answer (``TransportError``) or answers an error (``RefreshError``: a 503, which
  google-auth has already tried three times, 1 s and 2 s apart, or a 400 ``invalid_grant``). Decision: every such
  push is ``retryable`` (``UNAVAILABLE``, its detail starting ``access token refresh``), never ``failed``: FCM
  never saw it, and a refused grant is the hub's credential failing (a revoked or rotated service-account key, a
  clock minutes off), not the push; the hub's backoff gives the operator its retries (six attempts over about half
  an hour) to fix it, and ``hub_push_sends_total{outcome="retried"}`` shows them. The first push of a batch
  exchanges the token alone; when that exchange fails the rest of the batch gets the same answer without trying:
  each would only repeat it (a batch of 500 against a 503 token endpoint, three tries per push, 32 at a time,
  would outlast the sending lease). ``tests/notifications/test_fcm_token_refresh.py`` holds both;
- ``Message(token=...)`` warns that ``token`` is deprecated in favour of ``fid``, but a registration token is
  not an installation id: we keep ``token=`` and ignore exactly that warning, raised from this module.
"""

from __future__ import annotations

import concurrent.futures
import email.utils
import re
import threading
import time
import uuid
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import firebase_admin
import requests.adapters
import requests.exceptions
import requests.utils
from firebase_admin import credentials as firebase_credentials
from firebase_admin import exceptions as firebase_exceptions
from firebase_admin import messaging
from google.auth import exceptions as google_auth_exceptions
from google.auth.credentials import Credentials as GoogleCredentials
from urllib3.exceptions import InvalidHeader, MaxRetryError, ResponseError
from urllib3.util.retry import Retry

from notifications.transports import Outcome, PushMessage, PushResult, ResultCallback

if TYPE_CHECKING:
    from config import Settings

FCM_PRODUCTION_ENDPOINT = "https://fcm.googleapis.com"
_FCM_PATH = "/v1/projects/{0}/messages:send"
_FCM_ERROR_TYPE = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
_BAD_REQUEST_TYPE = "type.googleapis.com/google.rpc.BadRequest"
_DETAIL_LIMIT = 300
_SERVICE_CREATION_LOCK = threading.Lock()
DEFAULT_MAX_IN_FLIGHT = 32
DEFAULT_TIMEOUT_SECONDS = 5.0
LONGEST_LIBRARY_WAIT_SECONDS = 5.0
LIBRARY_RETRIES = 1


class BoundedRetry(Retry):
    """urllib3's retry, except that a ``Retry-After`` longer than ``LONGEST_LIBRARY_WAIT_SECONDS`` ends the
    retries at once: the 503 (or 429) goes back to the caller, which waits out of the library, with the push
    back in its queue, instead of holding a connection and the batch for the whole wait."""

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        wait = _header_seconds(response.headers.get("Retry-After")) if response is not None else None
        if wait is not None and wait > LONGEST_LIBRARY_WAIT_SECONDS:
            raise MaxRetryError(_pool, url, ResponseError(f"Retry-After {wait:.0f} s is the hub's to wait"))
        return super().increment(method, url, response, error, _pool, _stacktrace)


def bounded_retry() -> BoundedRetry:
    """The production policy: one quick retry of 500/503 (a short ``Retry-After`` honoured), on any method."""
    return BoundedRetry(
        total=LIBRARY_RETRIES,
        status_forcelist=[500, 503],
        backoff_factor=0.5,
        backoff_max=2.0,
        raise_on_status=False,
        allowed_methods=None,
    )


def ignore_token_deprecation() -> None:
    """Silence firebase-admin's ``Message.token is deprecated`` warning, only where this module raises it."""
    warnings.filterwarnings(
        "ignore",
        message=r"Message\.token is deprecated",
        category=DeprecationWarning,
        module=re.escape(__name__) + r"\Z",
    )


ignore_token_deprecation()


class _GoogleCredential(firebase_credentials.Base):
    """Adapts a ready google-auth credential (tests: one whose ``refresh()`` does nothing) to firebase-admin."""

    def __init__(self, credential: GoogleCredentials) -> None:
        self._credential = credential

    def get_credential(self) -> GoogleCredentials:
        return self._credential


class FCMTransport:
    """Sends pushes with ``messaging.send``, ``max_in_flight`` at once, and maps each answer to a ``PushResult``."""

    name = "fcm"

    def __init__(
        self,
        *,
        project_id: str,
        credentials_path: str | None = None,
        credential: GoogleCredentials | firebase_credentials.Base | None = None,
        endpoint: str | None = None,
        http_retry: Retry | int | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
    ) -> None:
        """``endpoint`` overrides ``https://fcm.googleapis.com`` (scheme, host and port only); ``http_retry``
        replaces ``bounded_retry()`` for that endpoint; at most ``max_in_flight`` requests are in flight at once."""
        if (credentials_path is None) == (credential is None):
            raise ValueError("give exactly one of credentials_path or credential")
        if not project_id:
            raise ValueError("project_id is required")
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        if credential is None:
            firebase_credential: firebase_credentials.Base = firebase_credentials.Certificate(credentials_path)
        elif isinstance(credential, firebase_credentials.Base):
            firebase_credential = credential
        else:
            firebase_credential = _GoogleCredential(credential)
        self.project_id = project_id
        self.endpoint = (endpoint or FCM_PRODUCTION_ENDPOINT).rstrip("/")
        self.max_in_flight = max_in_flight
        self.timeout_seconds = timeout_seconds
        self._retry = bounded_retry() if http_retry is None else http_retry
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=max_in_flight, thread_name_prefix="fcm-send")
        self._app = firebase_admin.initialize_app(
            firebase_credential,
            options={"projectId": project_id, "httpTimeout": timeout_seconds},
            name=f"benefits-hub-push-{uuid.uuid4().hex}",
        )
        self._create_messaging_service()
        self._credential = self._app.credential.get_credential()
        self._refresh_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> FCMTransport:
        options: dict[str, Any] = {
            "project_id": settings.fcm_project_id,
            "endpoint": settings.fcm_url or None,
            "max_in_flight": settings.fcm_max_in_flight,
        }
        if "credential" not in overrides:
            options["credentials_path"] = settings.fcm_credentials_path
        options.update(overrides)
        return cls(**options)

    @property
    def longest_request_seconds(self) -> float:
        """The most one push can take inside this transport: every attempt timing out, the longest waits between."""
        retry = self._retry
        if not isinstance(retry, Retry):
            retry = Retry.from_int(retry)
        retries = retry.total if isinstance(retry.total, int) else 0
        between = max(LONGEST_LIBRARY_WAIT_SECONDS, retry.backoff_max) if isinstance(retry, BoundedRetry) else 0
        # requests gives the timeout to connect and to read separately.
        return (retries + 1) * 2 * self.timeout_seconds + retries * between

    def _create_messaging_service(self) -> None:
        url_template = self.endpoint + _FCM_PATH
        with _SERVICE_CREATION_LOCK:
            original = messaging._MessagingService.FCM_URL
            messaging._MessagingService.FCM_URL = url_template
            try:
                service = messaging._get_messaging_service(self._app)
            finally:
                messaging._MessagingService.FCM_URL = original
        if service._fcm_url != url_template.format(self.project_id):
            raise RuntimeError("firebase-admin messaging service was created before its FCM URL was set")
        adapter = requests.adapters.HTTPAdapter(
            pool_connections=1, pool_maxsize=self.max_in_flight, pool_block=True, max_retries=self._retry
        )
        session = service._client.session
        session.mount(self.endpoint, adapter)
        # The proxy settings of the environment, read once: with trust_env requests reads them (and ~/.netrc)
        # again for every request, a fifth of a push's CPU time. The bearer token is the only authentication.
        session.proxies.update(requests.utils.get_environ_proxies(self.endpoint))
        session.trust_env = False

    def send(
        self,
        messages: Sequence[PushMessage],
        *,
        on_result: ResultCallback | None = None,
        stop: threading.Event | None = None,
    ) -> list[PushResult]:
        """Each push through ``messaging.send`` on the transport's own ``max_in_flight`` threads (see the module
        docstring); each answer is told to ``on_result`` the moment it arrives."""
        if not messages:
            return []
        results: list[PushResult | None] = [None] * len(messages)
        pending = iter(range(len(messages)))
        lock = threading.Lock()

        def tell(index: int, result: PushResult) -> None:
            results[index] = result
            if on_result is not None:
                on_result(index, result)

        def sender() -> None:
            while True:
                with lock:
                    index = next(pending, None)
                if index is None:
                    return
                if stop is not None and stop.is_set():
                    tell(index, PushResult.not_sent())
                    continue
                tell(index, self._send_one(messages[index]))

        if not self._credential.valid:  # one refresh first, not one per thread racing to the token endpoint
            with self._refresh_lock:
                if not self._credential.valid:
                    index = next(pending)
                    first = self._send_one(messages[index])
                    tell(index, first)
                    # Still no token after a retryable answer: the exchange failed, and each of the rest would
                    # only repeat it.
                    if first.outcome == "retryable" and not self._credential.valid:
                        for index in pending:
                            tell(index, first)
        workers = [self._pool.submit(sender) for _ in range(min(self.max_in_flight, len(messages)))]
        for worker in workers:
            worker.result()
        return [result if result is not None else PushResult.not_sent() for result in results]

    def _send_one(self, message: PushMessage) -> PushResult:
        try:
            return PushResult.sent(messaging.send(_fcm_message(message), app=self._app))
        except firebase_exceptions.FirebaseError as error:
            return _failure_result(error)
        except (google_auth_exceptions.TransportError, google_auth_exceptions.RefreshError) as error:
            # The token endpoint did not answer, or answered an error: retryable either way (module docstring).
            return _failure_result(firebase_exceptions.UnavailableError(f"access token refresh: {error}", error))
        except Exception as error:  # noqa: BLE001 (a credential refresh error…: as send_each answers it)
            return _failure_result(
                firebase_exceptions.UnknownError(f"Unknown error while making remote service calls: {error}", error)
            )

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        firebase_admin.delete_app(self._app)

    def __enter__(self) -> FCMTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _fcm_message(message: PushMessage) -> messaging.Message:
    apns_headers = {"apns-priority": "10" if message.urgent else "5", "apns-push-type": "alert"}
    if message.collapse_key:
        apns_headers["apns-collapse-id"] = message.collapse_key
    return messaging.Message(
        token=message.token,
        notification=messaging.Notification(title=message.title, body=message.body),
        data=dict(message.data),
        android=messaging.AndroidConfig(
            priority="high" if message.urgent else "normal",
            collapse_key=message.collapse_key,
        ),
        apns=messaging.APNSConfig(
            headers=apns_headers, payload=messaging.APNSPayload(aps=messaging.Aps(sound="default"))
        ),
    )


def _failure_result(error: BaseException | None) -> PushResult:
    code = _error_code(error)
    response = getattr(error, "http_response", None)
    return PushResult(
        _outcome(error),
        error_code=code,
        detail=str(error)[:_DETAIL_LIMIT] if error is not None else None,
        retry_after=_header_seconds(response.headers.get("Retry-After")) if response is not None else None,
    )


def _header_seconds(value: str | None) -> float | None:
    """A ``Retry-After`` value (seconds or an HTTP date) in seconds from now; ``None`` when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, InvalidHeader):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def _outcome(error: BaseException | None) -> Outcome:
    if isinstance(error, messaging.UnregisteredError | messaging.SenderIdMismatchError):
        return "token_invalid"
    if isinstance(error, firebase_exceptions.InvalidArgumentError) and _names_the_token(error):
        return "token_invalid"
    if isinstance(
        error,
        messaging.QuotaExceededError | firebase_exceptions.UnavailableError | firebase_exceptions.InternalError,
    ):
        return "retryable"
    return "failed"


def _error_body(error: BaseException | None) -> dict[str, Any]:
    response = getattr(error, "http_response", None)
    if response is None:
        return {}
    try:
        body = response.json()
    except ValueError:
        return {}
    inner = body.get("error") if isinstance(body, dict) else None
    return inner if isinstance(inner, dict) else {}


def _error_code(error: BaseException | None) -> str | None:
    """The FCM error code (``UNREGISTERED``, ``QUOTA_EXCEEDED``…) when the answer names one, else the platform code."""
    for detail in _error_body(error).get("details", []):
        if isinstance(detail, dict) and detail.get("@type") == _FCM_ERROR_TYPE and detail.get("errorCode"):
            return str(detail["errorCode"])
    return getattr(error, "code", None)


def _names_the_token(error: firebase_exceptions.InvalidArgumentError) -> bool:
    """FCM answers a malformed registration token with INVALID_ARGUMENT and a field violation on ``message.token``."""
    for detail in _error_body(error).get("details", []):
        violations = detail.get("fieldViolations", []) if isinstance(detail, dict) else []
        if detail.get("@type") == _BAD_REQUEST_TYPE and any(v.get("field") == "message.token" for v in violations):
            return True
    return "registration token" in str(error).lower()
