"""Stand-ins for the SMS providers: local HTTP servers speaking the Aliyun and Tencent
SendSms protocols, and an in-process flaky gateway for fault injection."""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from govhall.notifications.backends import RetryLater

Reply = tuple[int, dict]


class FakeProvider:
    """Runs a threading HTTP server on 127.0.0.1; `decide(request)` returns
    (http_status, json_body) or None for the provider's normal answer. Counts accepted
    sends per message id (out id / session context) and deduplicates like the real ones."""

    def __init__(self, port: int, decide: Callable[[dict], Reply | None] | None = None):
        self.port = port
        self.decide = decide
        self.requests: list[dict] = []
        self.accepted: Counter[str] = Counter()
        self.lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                request = {
                    "path": self.path,
                    "query": {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()},
                    "headers": dict(self.headers),
                    "raw": raw,
                }
                status, body = provider.handle(request)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def handle(self, request: dict) -> Reply:
        raise NotImplementedError


class FakeAliyun(FakeProvider):
    def handle(self, request: dict) -> Reply:
        form = {k: v[0] for k, v in parse_qs(request["raw"]).items()}
        params = {**request["query"], **form}
        request["params"] = params
        with self.lock:
            self.requests.append(request)
        reply = self.decide(request) if self.decide else None
        if reply is not None:
            return reply
        out_id = params.get("OutId", "")
        with self.lock:
            if self.accepted[out_id] == 0:
                self.accepted[out_id] += 1
        return 200, {
            "Code": "OK",
            "Message": "OK",
            "BizId": f"biz-{out_id[:8]}",
            "RequestId": str(uuid.uuid4()),
        }


class FakeTencent(FakeProvider):
    def handle(self, request: dict) -> Reply:
        payload = json.loads(request["raw"] or "{}")
        request["params"] = payload
        with self.lock:
            self.requests.append(request)
        reply = self.decide(request) if self.decide else None
        if reply is not None:
            return reply
        session = payload.get("SessionContext", "")
        with self.lock:
            if self.accepted[session] == 0:
                self.accepted[session] += 1
        return 200, {
            "Response": {
                "SendStatusSet": [
                    {
                        "SerialNo": f"serial-{session[:8]}",
                        "PhoneNumber": payload["PhoneNumberSet"][0],
                        "Fee": 1,
                        "SessionContext": session,
                        "Code": "Ok",
                        "Message": "send success",
                        "IsoCode": "CN",
                    }
                ],
                "RequestId": str(uuid.uuid4()),
            }
        }


class FlakyGateway:
    """In-process provider for fault injection. Of the requests, `failure_rate` fail:
    half are refused before acceptance (throttling/5xx), half time out AFTER the provider
    accepted (the response is lost — the dangerous case for duplicates). Deduplicates on
    the message id like a real provider; `accepted` counts per message id."""

    name = "flaky"

    def __init__(self, failure_rate: float = 0.3, seed: int = 1485, delay: float = 0.0):
        self.rng = random.Random(seed)
        self.failure_rate = failure_rate
        self.delay = delay
        self.lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.accepted: Counter[str] = Counter()
        self.by_thread: dict[str, set[int]] = {}

    def send(self, message, template) -> str:
        key = str(message.message_id)
        with self.lock:
            self.requests[key] += 1
            self.by_thread.setdefault(key, set()).add(threading.get_ident())
            roll = self.rng.random()
        if self.delay:
            time.sleep(self.delay)
        if roll < self.failure_rate / 2:
            raise RetryLater("服务繁忙", code="isv.BUSINESS_LIMIT_CONTROL")
        with self.lock:
            if self.accepted[key] == 0:
                self.accepted[key] += 1
        if roll < self.failure_rate:
            raise RetryLater("读取响应超时", code="ReadTimeout")
        return f"flaky-{key[:8]}"
