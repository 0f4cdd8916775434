"""Push through Firebase Cloud Messaging (HTTP v1) with the real firebase-admin ``messaging.send_each``.

Each transport owns a uniquely named firebase app, because firebase-admin caches the messaging service (and
the FCM URL it read at creation) per app. Traps this module works around, all in firebase-admin 7.x:

- no option points messaging at another host: ``_MessagingService.FCM_URL`` is read once, when the app's
  messaging service is created, so we set it (under a lock, then restore it) while creating ours;
- ``send_each([])`` raises and more than 500 messages raise ``ValueError``: we never send an empty batch and
  split into batches of at most 500;
- 500/503 answers are retried inside the library (urllib3 ``Retry``: 4 retries, exponential backoff, and it
  honours ``Retry-After`` for up to six hours). A push held inside the library that long keeps its batch
  ``sending`` for as long, so we mount our own adapter for the FCM endpoint with ``BoundedRetry``: one quick
  retry, and a ``Retry-After`` longer than ``LONGEST_LIBRARY_WAIT_SECONDS`` is not waited for here: the answer
  goes back to the hub with its ``retry_after``, and the hub's own backoff reschedules the push
  (``notifications.delivery``). ``longest_request_seconds`` is the most one push can take, and it is well
  inside the sender's lease;
- ``send_each`` sends up to 500 requests at once (a thread each) and answers only when every one is done, so
  a worker killed mid-batch has recorded nothing of it. We keep what is in flight small and known: at most
  ``max_in_flight`` requests of a transport are on their way at once (the other threads of ``send_each``
  wait for a slot before sending, and check ``stop`` once they have one), and we hook the service's
  per-message call (``_message_data`` marks each request, ``_client.body`` reports its
  answer) so each answer reaches ``on_result`` the moment it arrives, while the batch goes on;
- ``Message(token=...)`` warns that ``token`` is deprecated in favour of ``fid``, but a registration token is
  not an installation id: we keep ``token=`` and ignore exactly that warning, raised from this module.
"""

from __future__ import annotations

import email.utils
import re
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import firebase_admin
import requests.adapters
import requests.exceptions
from firebase_admin import credentials as firebase_credentials
from firebase_admin import exceptions as firebase_exceptions
from firebase_admin import messaging
from google.auth.credentials import Credentials as GoogleCredentials
from urllib3.exceptions import InvalidHeader, MaxRetryError, ResponseError
from urllib3.util.retry import Retry

from notifications.transports import Outcome, PushMessage, PushResult, ResultCallback

if TYPE_CHECKING:
    from config import Settings

MAX_BATCH = 500
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
    """Sends pushes with ``messaging.send_each`` (≤ 500 a batch) and maps each answer to a ``PushResult``."""

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
        self._marked: dict[int, tuple[_BatchAnswers, int]] = {}
        self._marked_lock = threading.Lock()
        self._local = threading.local()
        self._slots = threading.BoundedSemaphore(max_in_flight)
        self._app = firebase_admin.initialize_app(
            firebase_credential,
            options={"projectId": project_id, "httpTimeout": timeout_seconds},
            name=f"benefits-hub-push-{uuid.uuid4().hex}",
        )
        self._create_messaging_service()

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
        service._client.session.mount(self.endpoint, adapter)
        self._hook_each_request(service)

    def _hook_each_request(self, service: Any) -> None:
        """Make the service tell us each answer as it arrives (see the module docstring)."""
        encode, post = service._message_data, service._client.body

        def message_data(message, dry_run):
            data = encode(message, dry_run)
            answers = getattr(self._local, "answers", None)
            if answers is not None:
                with self._marked_lock:
                    self._marked[id(data)] = (answers, answers.next_index())
            return data

        def body(method, url, **kwargs):
            with self._marked_lock:
                marked = self._marked.get(id(kwargs.get("json")))
            if marked is None:
                return post(method, url, **kwargs)
            answers, index = marked
            with self._slots:  # the other threads of send_each wait here, before their push leaves
                return answers.send_one(index, lambda: post(method, url, **kwargs), service._handle_fcm_error)

        service._message_data = message_data
        service._client.body = body

    def send(
        self,
        messages: Sequence[PushMessage],
        *,
        on_result: ResultCallback | None = None,
        stop: threading.Event | None = None,
    ) -> list[PushResult]:
        results: list[PushResult] = []
        for start in range(0, len(messages), MAX_BATCH):
            answers = _BatchAnswers(start, on_result, stop)
            results.extend(self._send_batch(messages[start : start + MAX_BATCH], answers))
        return results

    def _send_batch(self, batch: Sequence[PushMessage], answers: _BatchAnswers) -> list[PushResult]:
        fcm_messages = [_fcm_message(message) for message in batch]
        self._local.answers = answers
        try:
            response = messaging.send_each(fcm_messages, app=self._app)
        except firebase_exceptions.FirebaseError as error:
            # The batch failed as a whole (e.g. a credential refresh error): answers already told stand.
            failure = _failure_result(error)
            return answers.complete(len(batch), lambda index: failure)
        finally:
            self._local.answers = None
            with self._marked_lock:
                for key in [key for key, (owner, _) in self._marked.items() if owner is answers]:
                    del self._marked[key]
        items = response.responses
        return answers.complete(
            len(batch),
            lambda index: (
                PushResult.sent(items[index].message_id)
                if items[index].success
                else _failure_result(items[index].exception)
            ),
        )

    def close(self) -> None:
        firebase_admin.delete_app(self._app)

    def __enter__(self) -> FCMTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _NotSent(requests.exceptions.RequestException):
    """Raised in place of a request the sender was told not to make (the library records it as failed)."""


class _BatchAnswers:
    """The answers of one ``send_each`` call, told to ``on_result`` (with the caller's indexes) as they arrive."""

    def __init__(self, offset: int, on_result: ResultCallback | None, stop: threading.Event | None) -> None:
        self._offset = offset
        self._on_result = on_result
        self._stop = stop
        self._results: dict[int, PushResult] = {}
        self._lock = threading.Lock()
        self._count = 0

    def next_index(self) -> int:
        self._count += 1
        return self._count - 1

    def send_one(self, index: int, post: Callable[[], Any], as_firebase_error: Callable[[Exception], Any]) -> Any:
        if self._stop is not None and self._stop.is_set():
            self._tell(index, PushResult.not_sent())
            raise _NotSent("not sent: the sender stopped")
        try:
            answer = post()
        except requests.exceptions.RequestException as error:
            self._tell(index, _failure_result(as_firebase_error(error)))
            raise
        self._tell(index, PushResult.sent(answer["name"]))
        return answer

    def complete(self, size: int, fallback: Callable[[int], PushResult]) -> list[PushResult]:
        """One result per message: the one told, else ``fallback(index)`` (told now)."""
        for index in range(size):
            if index not in self._results:
                self._tell(index, fallback(index))
        return [self._results[index] for index in range(size)]

    def _tell(self, index: int, result: PushResult) -> None:
        with self._lock:
            if index in self._results:
                return
            self._results[index] = result
        if self._on_result is not None:
            self._on_result(self._offset + index, result)


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
