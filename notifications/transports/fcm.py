"""Push through Firebase Cloud Messaging (HTTP v1) with the real firebase-admin ``messaging.send_each``.

Each transport owns a uniquely named firebase app, because firebase-admin caches the messaging service (and
the FCM URL it read at creation) per app. Traps this module works around, all in firebase-admin 7.x:

- no option points messaging at another host: ``_MessagingService.FCM_URL`` is read once, when the app's
  messaging service is created, so we set it (under a lock, then restore it) while creating ours;
- ``send_each([])`` raises and more than 500 messages raise ``ValueError``: we never send an empty batch and
  split into batches of at most 500;
- 500/503 answers are retried inside the library (urllib3 ``Retry``: 4 retries, exponential backoff, and it
  honours ``Retry-After``). The library mounts that policy on the messaging service's ``requests`` session; we
  mount our own adapter for the FCM endpoint so the policy (``http_retry``) and pool size are chosen per
  transport (the outbox dispatcher has its own backoff, so production may prefer fewer in-library retries);
- ``Message(token=...)`` warns that ``token`` is deprecated in favour of ``fid``, but a registration token is
  not an installation id: we keep ``token=`` and ignore exactly that warning, raised from this module.
"""

from __future__ import annotations

import re
import threading
import uuid
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import firebase_admin
import requests.adapters
from firebase_admin import credentials as firebase_credentials
from firebase_admin import exceptions as firebase_exceptions
from firebase_admin import messaging
from google.auth.credentials import Credentials as GoogleCredentials
from urllib3.util.retry import Retry

from notifications.transports import Outcome, PushMessage, PushResult

if TYPE_CHECKING:
    from config import Settings

MAX_BATCH = 500
FCM_PRODUCTION_ENDPOINT = "https://fcm.googleapis.com"
_FCM_PATH = "/v1/projects/{0}/messages:send"
_FCM_ERROR_TYPE = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
_BAD_REQUEST_TYPE = "type.googleapis.com/google.rpc.BadRequest"
_DETAIL_LIMIT = 300
_SERVICE_CREATION_LOCK = threading.Lock()


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
        timeout_seconds: float = 10.0,
        pool_size: int = 100,
    ) -> None:
        """``endpoint`` overrides ``https://fcm.googleapis.com`` (scheme, host and port only); ``http_retry``
        replaces the library's retry policy for that endpoint (``None`` keeps the library's default)."""
        if (credentials_path is None) == (credential is None):
            raise ValueError("give exactly one of credentials_path or credential")
        if not project_id:
            raise ValueError("project_id is required")
        if credential is None:
            firebase_credential: firebase_credentials.Base = firebase_credentials.Certificate(credentials_path)
        elif isinstance(credential, firebase_credentials.Base):
            firebase_credential = credential
        else:
            firebase_credential = _GoogleCredential(credential)
        self.project_id = project_id
        self.endpoint = (endpoint or FCM_PRODUCTION_ENDPOINT).rstrip("/")
        self._app = firebase_admin.initialize_app(
            firebase_credential,
            options={"projectId": project_id, "httpTimeout": timeout_seconds},
            name=f"benefits-hub-push-{uuid.uuid4().hex}",
        )
        self._create_messaging_service(http_retry, pool_size)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> FCMTransport:
        options: dict[str, Any] = {
            "project_id": settings.fcm_project_id,
            "endpoint": settings.fcm_url or None,
        }
        if "credential" not in overrides:
            options["credentials_path"] = settings.fcm_credentials_path
        options.update(overrides)
        return cls(**options)

    def _create_messaging_service(self, http_retry: Retry | int | None, pool_size: int) -> None:
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
        retry = _http_client_default_retry() if http_retry is None else http_retry
        adapter = requests.adapters.HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=retry)
        service._client.session.mount(self.endpoint, adapter)

    def send(self, messages: Sequence[PushMessage]) -> list[PushResult]:
        results: list[PushResult] = []
        for start in range(0, len(messages), MAX_BATCH):
            results.extend(self._send_batch(messages[start : start + MAX_BATCH]))
        return results

    def _send_batch(self, batch: Sequence[PushMessage]) -> list[PushResult]:
        fcm_messages = [_fcm_message(message) for message in batch]
        try:
            response = messaging.send_each(fcm_messages, app=self._app)
        except firebase_exceptions.FirebaseError as error:
            # The whole batch failed before any answer could be told apart (e.g. a credential refresh error).
            result = _failure_result(error)
            return [result] * len(batch)
        return [
            PushResult.sent(item.message_id) if item.success else _failure_result(item.exception)
            for item in response.responses
        ]

    def close(self) -> None:
        firebase_admin.delete_app(self._app)

    def __enter__(self) -> FCMTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _http_client_default_retry() -> Retry:
    from firebase_admin import _http_client

    return _http_client.DEFAULT_RETRY_CONFIG


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
        apns=messaging.APNSConfig(headers=apns_headers, payload=messaging.APNSPayload(aps=messaging.Aps(sound="default"))),
    )


def _failure_result(error: BaseException | None) -> PushResult:
    code = _error_code(error)
    return PushResult(
        _outcome(error),
        error_code=code,
        detail=str(error)[:_DETAIL_LIMIT] if error is not None else None,
    )


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
