"""SMS gateways, chosen by settings.SMS_BACKEND: console | database | aliyun | tencent.

A backend sends one outbox message and returns the provider's message id, or raises one of
three outcomes, which the dispatcher treats differently:

- `RetryLater` — refused, nothing was sent (throttling, a provider error code, HTTP 4xx, a
  connection that could not be opened): retry with back-off.
- `PermanentFailure` — refused for good (invalid number, template not approved…): an SMS
  will never work, call the person instead.
- `OutcomeUnknown` — the request went out but the answer was lost (read timeout, connection
  dropped, HTTP 5xx): the provider may have accepted it. Providers do NOT deduplicate
  (Aliyun SendSms: "国内短信…目前均不支持幂等的能力，请您做好幂等控制"; after a timeout
  "建议查看回执状态后再判断是否重试"), so the message is not resent blindly: it waits in
  `checking` and the dispatcher asks the backend's `lookup` what the provider has.

Backends that can be asked (aliyun, tencent) implement `lookup(message, now=…)`: the
provider's records for that phone around the send time whose echoed message id (Aliyun
`OutId`, Tencent `SessionContext`) is ours. `console` and `database` never answer
"unknown", so they have no lookup.
"""

from __future__ import annotations

import importlib
import logging
import sys
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from govhall.core.masking import mask_phone
from govhall.notifications.models import OutboxMessage, SentSms, SmsTemplate

logger = logging.getLogger("govhall.notifications")

DEFAULT_TIMEOUT_SECONDS = 10


class SendError(Exception):
    retry = True

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(f"{code}: {message}" if code else message)
        self.code = code


class RetryLater(SendError):
    """Refused: nothing was sent; try again after a back-off."""

    retry = True


class PermanentFailure(SendError):
    retry = False


class OutcomeUnknown(SendError):
    """The request went out and its answer was lost: the provider may have sent the SMS."""

    retry = False


@dataclass(frozen=True)
class ProviderRecord:
    """One SMS the provider has on record for a message id (from a query)."""

    provider_message_id: str = ""
    delivered: bool | None = None  # None: the carrier's receipt has not come yet
    report: dict[str, Any] = field(default_factory=dict)


class Backend(Protocol):
    name: str

    def send(self, message: OutboxMessage, template: SmsTemplate) -> str: ...


class ReconcilingBackend(Backend, Protocol):
    def lookup(self, message: OutboxMessage, *, now: Any) -> list[ProviderRecord]:
        """The provider's records of this message (empty: none yet). Raises RetryLater
        when the query itself fails."""
        ...


def timeout_seconds() -> int:
    return int(getattr(settings, "SMS_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))


def str_params(message: OutboxMessage, template: SmsTemplate) -> dict[str, str]:
    names = list(template.params) or list(message.params)
    return {k: str(message.params.get(k, "")) for k in names}


# Text of the HTTP library's errors (requests/urllib3, used by both SDKs) that mean the
# connection was never opened, so the request cannot have reached the provider.
_NOT_CONNECTED = (
    "NewConnectionError",
    "Failed to establish a new connection",
    "Connection refused",
    "ConnectTimeout",
    "NameResolutionError",
    "Name or service not known",
)


def network_error(inner: BaseException | None, text: str) -> SendError:
    """A transport error: refused if the connection never opened, otherwise unknown."""
    from requests.exceptions import ConnectTimeout  # both SDKs send through requests

    name = type(inner).__name__ if inner is not None else "NetworkError"
    full = f"{text} {inner!r}"
    if isinstance(inner, ConnectTimeout) or any(s in full for s in _NOT_CONNECTED):
        return RetryLater(full[:300], code=f"connect:{name}")
    return OutcomeUnknown(full[:300], code=f"lost:{name}")


class ConsoleBackend:
    """Development: print the text, with the phone masked (never in production: the body
    may hold a verification code; `manage.py check --deploy` refuses it with DEBUG off)."""

    name = "console"

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stdout

    def send(self, message: OutboxMessage, template: SmsTemplate) -> str:
        self.stream.write(f"[短信] {mask_phone(message.to)}: {message.body}\n")
        self.stream.flush()
        return f"console-{message.message_id}"


class DatabaseBackend:
    """Keeps each message in SentSms (tests, benchmark, demo); a repeated message id only
    increments `requests`, so a test can see that a repeat happened."""

    name = "database"

    def send(self, message: OutboxMessage, template: SmsTemplate) -> str:
        try:
            with transaction.atomic():
                row = SentSms.objects.create(
                    message_id=message.message_id,
                    to=message.to,
                    template=message.template,
                    params=message.params,
                    signature=message.signature,
                    body=message.body,
                    sent_at=timezone.now(),
                )
        except IntegrityError:
            SentSms.objects.filter(message_id=message.message_id).update(requests=F("requests") + 1)
            row = SentSms.objects.get(message_id=message.message_id)
        return f"db-{row.pk}"


BACKENDS = {
    "console": "govhall.notifications.backends.ConsoleBackend",
    "database": "govhall.notifications.backends.DatabaseBackend",
    "aliyun": "govhall.notifications.backend_aliyun.AliyunBackend",
    "tencent": "govhall.notifications.backend_tencent.TencentBackend",
}


def get_backend(name: str | None = None) -> Backend:
    name = name or getattr(settings, "SMS_BACKEND", "console")
    try:
        path = BACKENDS[name]
    except KeyError:
        raise ValueError(
            f"未知的短信通道 SMS_BACKEND={name!r}（可选 {', '.join(BACKENDS)}）"
        ) from None
    module, _, cls = path.rpartition(".")
    return getattr(importlib.import_module(module), cls)()
