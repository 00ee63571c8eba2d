"""Idempotency-Key for every API write.

The first request with a key runs inside one transaction together with the record of its
response; a retry with the same key and the same request gets the stored response and
changes nothing; the same key with a different request is refused (422). Two identical
requests racing each other: the second waits on the record's unique index (PostgreSQL) or
the write lock (SQLite) and then replays the first one's response. Keys belong to the
caller (`_scope`): a replay never hands one caller's response to another.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from govhall.core.api import authenticated_caller, problem
from govhall.core.models import IdempotencyRecord
from govhall.core.ratelimit import client_address

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
HEADER = "Idempotency-Key"


def _scope(request: HttpRequest) -> str:
    """Whose keys these are: the authenticated caller (a valid token, a staff session),
    checked as the API checks it, never the raw header. An anonymous caller's keys are
    its own address's and browser's: another client never gets its stored response (a
    ticket with its private status link) by sending the same key and body."""
    caller = authenticated_caller(request)
    if caller is not None:
        return caller[0]
    client = f"{client_address(request)}|{request.headers.get('User-Agent', '')}"
    return "anonymous:" + hashlib.sha256(client.encode()).hexdigest()[:40]


def _request_hash(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path()):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord, request_hash: str) -> HttpResponse:
    if record.request_hash != request_hash:
        return problem(
            422,
            "同一个 Idempotency-Key 已用于另一个不同的请求，请换一个新的键。",
            code="idempotency_key_reused",
            errors=[{"field": HEADER, "message": "该键已用于不同的请求内容"}],
        )
    response = HttpResponse(
        bytes(record.body), status=record.status_code, content_type=record.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if not key or request.method not in WRITE_METHODS or not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > 200:
            return problem(
                422,
                "Idempotency-Key 过长（最多200个字符）。",
                code="invalid_input",
                errors=[{"field": HEADER, "message": "最多200个字符"}],
            )
        scope = _scope(request)
        try:
            request_hash = _request_hash(request)
        except RequestDataTooBig:
            return problem(
                413,
                "请求内容过大。",
                code="request_too_large",
                errors=[{"field": "body", "message": "请求内容过大"}],
            )
        with transaction.atomic():
            record = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
            if record is not None:
                return _replay(record, request_hash)
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        scope=scope, key=key, request_hash=request_hash
                    )
            except IntegrityError:
                record = IdempotencyRecord.objects.get(scope=scope, key=key)
                return _replay(record, request_hash)
            response = self.get_response(request)
            if response.streaming or not 200 <= response.status_code < 300:
                # Failed requests change nothing, so they keep no record and may be retried.
                transaction.set_rollback(True)
                return response
            record.status_code = response.status_code
            record.content_type = response.get("Content-Type", "application/json")
            record.body = response.content
            record.save(update_fields=["status_code", "content_type", "body"])
            return response
