"""Stand-ins for the SMS providers, honest about what the real ones do.

What the providers' documentation says, and these fakes therefore do:

- No deduplication. Aliyun SendSms (https://help.aliyun.com/document_detail/55284.html):
  "国内短信、国际短信及多媒体短信目前均不支持幂等的能力，请您做好幂等控制，防止因多次重试而
  导致的重复操作问题". OutId / SessionContext are only echoed back (Tencent SendSms:
  "可以携带用户侧 ID 等上下文信息，server 会原样返回"). Every accepted request is one SMS on
  the citizen's phone (`phones`), the same message id twice is two SMS.
- Lost answers. The same page: "发生超时失败的情况时，建议查看回执状态后再判断是否重试" — a
  request may be accepted and its answer lost. `LOSE` accepts, then drops the connection
  without a response; `HOLD` accepts and answers only after the client has timed out.
- Queries, after a receipt delay. Aliyun QuerySendDetails
  (https://help.aliyun.com/document_detail/419277.html): PhoneNumber + SendDate (yyyyMMdd),
  PageSize ≤ 50, CurrentPage; SmsSendDetailDTOs with OutId and SendStatus (1 等待回执,
  2 失败, 3 成功). Tencent PullSmsSendStatusByPhoneNumber
  (https://www.tencentcloud.com/document/api/382/40518): BeginTime/EndTime, Offset 0,
  Limit ≤ 100, PhoneNumber, SmsSdkAppId; records with SerialNo, ReportStatus and
  SessionContext exist once the carrier reported ("仅当运营商有返回短信接收状态时回包中才会
  有状态数据"). Here a record becomes visible `receipt_delay` seconds after acceptance,
  measured on Django's clock (so time-machine moves it).

`FakeAliyun` / `FakeTencent` are HTTP servers on 127.0.0.1, port 0 (the OS picks a free
port; `endpoint` reads it back) for the real SDK clients. `FaultyProvider` is the same
provider in-process, for the 1,000-message fault test.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from django.utils import timezone

from govhall.notifications.backends import OutcomeUnknown, ProviderRecord, RetryLater

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOSE = "lose"  # accept, then close the connection without an answer
HOLD = "hold"  # accept, answer only once `release` is set (the client times out first)
DROP = "drop"  # the request is lost on the way: close the connection, nothing accepted

Reply = tuple[int, dict] | str


@dataclass
class Delivered:
    """One SMS that reached the citizen's phone."""

    phone: str
    message_id: str  # OutId / SessionContext as sent
    provider_id: str  # BizId / SerialNo
    accepted_at: dt.datetime


class Phones:
    """What the citizens' phones received, and what the provider can answer about it."""

    def __init__(self, receipt_delay: float = 5.0) -> None:
        self.receipt_delay = dt.timedelta(seconds=receipt_delay)
        self.delivered: list[Delivered] = []
        self.lock = threading.Lock()

    def accept(self, phone: str, message_id: str, prefix: str) -> Delivered:
        with self.lock:
            row = Delivered(phone, message_id, f"{prefix}-{uuid.uuid4().hex[:12]}", timezone.now())
            self.delivered.append(row)
        return row

    def visible(self, phone: str) -> list[Delivered]:
        now = timezone.now()
        with self.lock:
            return [
                d
                for d in self.delivered
                if d.phone == phone and d.accepted_at + self.receipt_delay <= now
            ]

    @property
    def received(self) -> Counter[str]:
        """SMS per message id on the phones: 1 is right, 2 is a duplicate."""
        with self.lock:
            return Counter(d.message_id for d in self.delivered)


class FakeProvider:
    """A threading HTTP server; `decide(request)` returns (status, json body), LOSE, HOLD or
    None for the normal answer."""

    prefix = "fake"

    def __init__(
        self,
        decide: Callable[[dict], Reply | None] | None = None,
        *,
        receipt_delay: float = 5.0,
    ) -> None:
        self.decide = decide
        self.phones = Phones(receipt_delay)
        self.requests: list[dict] = []
        self.queries = 0
        self.release = threading.Event()
        self.lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = {
                    "path": self.path,
                    "query": {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()},
                    "headers": dict(self.headers),
                    "raw": self.rfile.read(length).decode(),
                }
                reply = provider.handle(request)
                if reply in (LOSE, DROP):
                    self.close_connection = True
                    return  # no status line: the client sees the connection dropped
                if reply == HOLD:
                    provider.release.wait(10)
                    reply = provider.handle_normal(request)
                status, body = reply
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def handle(self, request: dict) -> Reply:
        request["action"] = self.action(request)
        request["params"] = self.params(request)
        with self.lock:
            self.requests.append(request)
        reply = self.decide(request) if self.decide else None
        if reply in (LOSE, HOLD):
            if request["action"] == "SendSms":
                self.accept(request)
            return reply
        return reply if reply is not None else self.handle_normal(request)

    def handle_normal(self, request: dict) -> tuple[int, dict]:
        if request["action"] == "SendSms":
            return self.sent_reply(request, self.accept(request))
        with self.lock:
            self.queries += 1
        return self.query_reply(request)

    @property
    def sends(self) -> list[dict]:
        return [r for r in self.requests if r["action"] == "SendSms"]

    # Provider specifics
    def action(self, request: dict) -> str:
        raise NotImplementedError

    def params(self, request: dict) -> dict:
        raise NotImplementedError

    def accept(self, request: dict) -> Delivered:
        raise NotImplementedError

    def sent_reply(self, request: dict, delivered: Delivered) -> tuple[int, dict]:
        raise NotImplementedError

    def query_reply(self, request: dict) -> tuple[int, dict]:
        raise NotImplementedError


class FakeAliyun(FakeProvider):
    prefix = "biz"

    def action(self, request):
        return request["headers"].get("x-acs-action", "")

    def params(self, request):
        form = {k: v[0] for k, v in parse_qs(request["raw"]).items()}
        return {**request["query"], **form}

    def accept(self, request):
        p = request["params"]
        return self.phones.accept(p["PhoneNumbers"], p.get("OutId", ""), self.prefix)

    def sent_reply(self, request, delivered):
        return 200, {
            "Code": "OK",
            "Message": "OK",
            "BizId": delivered.provider_id,
            "RequestId": str(uuid.uuid4()),
        }

    def query_reply(self, request):
        p = request["params"]
        size, page = int(p.get("PageSize", 50)), int(p.get("CurrentPage", 1))
        rows = [
            d
            for d in self.phones.visible(p["PhoneNumber"])
            if d.accepted_at.astimezone(SHANGHAI).strftime("%Y%m%d") == p["SendDate"]
        ]
        chunk = rows[(page - 1) * size : page * size]
        return 200, {
            "Code": "OK",
            "Message": "OK",
            "RequestId": str(uuid.uuid4()),
            "TotalCount": len(rows),
            "SmsSendDetailDTOs": {
                "SmsSendDetailDTO": [
                    {
                        "PhoneNum": d.phone,
                        "OutId": d.message_id,
                        "SendStatus": 3,
                        "ErrCode": "DELIVERED",
                        "SendDate": d.accepted_at.astimezone(SHANGHAI).strftime(
                            "%Y-%m-%d %H:%M:%S"
                        ),
                        "ReceiveDate": "",
                        "Content": "",
                        "TemplateCode": "",
                    }
                    for d in chunk
                ]
            },
        }


class FakeTencent(FakeProvider):
    prefix = "serial"

    def action(self, request):
        return request["headers"].get("X-TC-Action", "")

    def params(self, request):
        return json.loads(request["raw"] or "{}")

    def accept(self, request):
        p = request["params"]
        phone = p["PhoneNumberSet"][0].removeprefix("+86")
        return self.phones.accept(phone, p.get("SessionContext", ""), self.prefix)

    def sent_reply(self, request, delivered):
        p = request["params"]
        status = {
            "SerialNo": delivered.provider_id,
            "PhoneNumber": p["PhoneNumberSet"][0],
            "Fee": 1,
            "SessionContext": delivered.message_id,
            "Code": "Ok",
            "Message": "send success",
            "IsoCode": "CN",
        }
        return 200, {"Response": {"SendStatusSet": [status], "RequestId": str(uuid.uuid4())}}

    def query_reply(self, request):
        p = request["params"]
        phone = p["PhoneNumber"].removeprefix("+86")
        delay = self.phones.receipt_delay
        rows = [
            d
            for d in self.phones.visible(phone)
            if p["BeginTime"] <= (d.accepted_at + delay).timestamp() <= p.get("EndTime", 2**40)
        ][: int(p["Limit"])]
        return 200, {
            "Response": {
                "PullSmsSendStatusSet": [
                    {
                        "UserReceiveTime": int((d.accepted_at + delay).timestamp()),
                        "CountryCode": "86",
                        "SubscriberNumber": d.phone,
                        "PhoneNumber": f"+86{d.phone}",
                        "SerialNo": d.provider_id,
                        "ReportStatus": "SUCCESS",
                        "Description": "DELIVRD",
                        "SessionContext": d.message_id,
                    }
                    for d in rows
                ],
                "RequestId": str(uuid.uuid4()),
            }
        }


class FaultyProvider:
    """The Aliyun-like provider in-process, as a backend (send + lookup). Of the send
    requests, `failure_rate` fail: half are refused before acceptance (flow control:
    nothing sent), half are accepted — one SMS on the phone — and their answer is lost
    (OutcomeUnknown). No deduplication; `phones.received` counts SMS per message id."""

    name = "faulty"

    def __init__(
        self,
        failure_rate: float = 0.3,
        seed: int = 1485,
        receipt_delay: float = 5.0,
        rendezvous: threading.Barrier | None = None,
    ):
        self.rng = random.Random(seed)
        self.failure_rate = failure_rate
        # Each thread's first send waits here for the others' first send: the worker
        # threads hold their claimed batches at the same time (no sleeps, no timing luck).
        self.rendezvous = rendezvous
        self.met: set[int] = set()
        self.phones = Phones(receipt_delay)
        self.lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.by_thread: dict[str, set[int]] = {}
        self.queries = 0
        self.refused = self.lost = 0

    def send(self, message, template) -> str:
        key = str(message.message_id)
        with self.lock:
            self.requests[key] += 1
            self.by_thread.setdefault(key, set()).add(threading.get_ident())
            roll = self.rng.random()
        if self.rendezvous is not None and threading.get_ident() not in self.met:
            self.met.add(threading.get_ident())
            self.rendezvous.wait(timeout=60)
        if roll < self.failure_rate / 2:
            self.refused += 1
            raise RetryLater("触发号码天级流控", code="isv.BUSINESS_LIMIT_CONTROL")
        delivered = self.phones.accept(message.to, key, "biz")
        if roll < self.failure_rate:
            self.lost += 1
            raise OutcomeUnknown("Read timed out", code="lost:ReadTimeout")
        return delivered.provider_id

    def lookup(self, message, *, now) -> list[ProviderRecord]:
        with self.lock:
            self.queries += 1
        key = str(message.message_id)
        return [
            ProviderRecord(provider_message_id="", delivered=True, report={"send_status": 3})
            for d in self.phones.visible(message.to)
            if d.message_id == key
        ]
