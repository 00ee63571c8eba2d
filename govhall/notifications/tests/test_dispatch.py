"""The worker: claims, retries with back-off, gives up, reclaims abandoned claims, and
delivers each message exactly once under injected faults."""

import datetime as dt
import random
from collections import Counter

import pytest
import time_machine
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from govhall.core.jobs import discover_jobs
from govhall.core.models import AuditEntry
from govhall.notifications.backends import PermanentFailure, RetryLater
from govhall.notifications.dispatch import backoff_seconds, claim_batch, dispatch_due, send_one
from govhall.notifications.models import OutboxMessage, PhoneCallTask, SentSms
from govhall.notifications.services import message_resend, notification_send
from govhall.org.testing import make_user

from .conftest import MORNING
from .fakes import FaultyProvider

pytestmark = pytest.mark.django_db

S = OutboxMessage.Status


class AlwaysFails:
    name = "broken"

    def __init__(self, error):
        self.error = error
        self.calls = 0

    def send(self, message, template):
        self.calls += 1
        raise self.error


class Crashes:
    name = "buggy"

    def send(self, message, template):
        raise ZeroDivisionError("bug")


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    rng = random.Random(7)
    for attempt, full in [(1, 30), (2, 60), (3, 120), (5, 480), (8, 3600), (20, 3600)]:
        values = [backoff_seconds(attempt, rng) for _ in range(50)]
        assert all(full / 2 <= v <= full for v in values), attempt
        assert len({round(v, 3) for v in values}) > 40  # jitter spreads them


def test_transient_failures_retry_then_fail_with_reason_and_a_phone_call(send, settings):
    settings.SMS_MAX_ATTEMPTS = 3
    message = send()
    gateway = AlwaysFails(RetryLater("流控", code="isv.BUSINESS_LIMIT_CONTROL"))
    now = MORNING
    first = dispatch_due(now, backend=gateway)
    assert first.retried == 1
    message.refresh_from_db()
    assert message.status == S.PENDING and message.attempts == 1
    assert "isv.BUSINESS_LIMIT_CONTROL" in message.last_error
    assert now + dt.timedelta(seconds=15) <= message.due_at <= now + dt.timedelta(seconds=30)
    assert dispatch_due(now + dt.timedelta(seconds=10), backend=gateway).claimed == 0
    for _ in range(2):
        now = message.due_at
        dispatch_due(now, backend=gateway)
        message.refresh_from_db()
    assert gateway.calls == 3
    assert message.status == S.FAILED and message.attempts == 3
    assert message.last_error.startswith("第3次")
    task = PhoneCallTask.objects.get(message=message)
    assert task.reason == PhoneCallTask.Reason.SMS_FAILED
    assert "验证码" in task.script
    assert dispatch_due(now + dt.timedelta(days=1), backend=gateway).claimed == 0


def test_permanent_failure_stops_at_once_and_creates_a_phone_call(send, center):
    message = send(
        template="pickup_ready",
        params={"name": "李四", "item": "营业执照", "case_no": "C1", "place": "出件窗口"},
        center=center,
    )
    gateway = AlwaysFails(PermanentFailure("号码无效", code="isv.MOBILE_NUMBER_ILLEGAL"))
    assert dispatch_due(MORNING, backend=gateway).failed == 1
    message.refresh_from_db()
    assert message.status == S.FAILED and message.attempts == 1
    assert "MOBILE_NUMBER_ILLEGAL" in message.last_error
    task = PhoneCallTask.objects.get(message=message)
    assert task.center == center and task.phone == "13800138000"
    assert "出件窗口" in task.script


def test_a_backend_bug_does_not_lose_the_message(send):
    message = send()
    assert dispatch_due(MORNING, backend=Crashes()).retried == 1
    message.refresh_from_db()
    assert message.status == S.PENDING and "ZeroDivisionError" in message.last_error


def test_abandoned_claim_is_reclaimed_after_its_lease(send, settings):
    settings.SMS_LEASE_SECONDS = 120
    message = send()
    token, rows = claim_batch(now=MORNING, limit=10)  # a worker claims, then dies
    assert [r.pk for r in rows] == [message.pk]
    message.refresh_from_db()
    assert message.status == S.SENDING
    assert message.lease_until == MORNING + dt.timedelta(seconds=120)
    assert dispatch_due(MORNING + dt.timedelta(seconds=119)).claimed == 0
    assert dispatch_due(MORNING + dt.timedelta(seconds=121)).sent == 1
    message.refresh_from_db()
    assert message.status == S.SENT and message.claim_token is None
    # The dead worker wakes up: its stale token no longer matches, nothing is overwritten.
    from govhall.notifications.dispatch import DispatchResult

    late = DispatchResult()
    send_one(rows[0], token, backend=AlwaysFails(RetryLater("x")), now=MORNING, result=late)
    message.refresh_from_db()
    assert message.status == S.SENT and message.last_error == ""


def test_resend_of_a_failed_message_keeps_its_id_and_starts_a_new_cycle(send):
    admin = make_user("admin1", superuser=True)
    message = send()
    dispatch_due(MORNING, backend=AlwaysFails(PermanentFailure("模板未审核", code="x")))
    message.refresh_from_db()
    assert message.status == S.FAILED
    later = MORNING + dt.timedelta(hours=1)
    with transaction.atomic():
        assert message_resend(message_id=message.pk, actor=admin, now=later)
        assert not message_resend(message_id=message.pk, actor=admin, now=later)  # not failed
    message.refresh_from_db()
    assert (message.status, message.attempts, message.cycle) == (S.PENDING, 0, 2)
    assert dispatch_due(later).sent == 1
    assert SentSms.objects.get().message_id == message.message_id
    assert AuditEntry.objects.filter(action="govhall.notifications.message.resent").count() == 1


def test_job_is_discovered_by_run_worker_and_sends(send):
    # (run_worker itself closes old connections, which the test transaction cannot bear;
    # it runs exactly these discovered job functions.)
    jobs = {j.name: j for j in discover_jobs()}
    job = jobs["notifications.send_due_messages"]
    assert job.every_seconds <= 5
    message = send(now=None)
    assert job.func(timezone.now()) == 1
    message.refresh_from_db()
    assert message.status == S.SENT
    assert message.provider == "database"
    assert message.provider_message_id.startswith("db-")


class WorkerKilled(BaseException):
    """Like SIGKILL: not an Exception, so the dispatcher cannot tidy up."""


class KillAfter:
    """The worker dies right after its n-th send reached the provider: the SMS is on the
    phone, the outbox row still says `sending`."""

    def __init__(self, inner, sends):
        self.inner, self.left, self.name = inner, sends, inner.name

    def send(self, message, template):
        self.left -= 1
        provider_id = self.inner.send(message, template)
        if self.left == 0:
            raise WorkerKilled
        return provider_id

    def lookup(self, message, *, now):
        return self.inner.lookup(message, now=now)


def test_fault_injection_1000_messages_exactly_once_on_the_phone(center, settings):
    """30 % faults against a provider that does not deduplicate (half refused, half
    accepted with the answer lost) and three workers killed: every message reaches the
    citizen's phone exactly once."""
    settings.SMS_MAX_ATTEMPTS = 30  # the point here is no loss and no duplicate
    settings.SMS_QUIET_START = settings.SMS_QUIET_END = "00:00"  # off: time jumps below
    settings.SMS_LEASE_SECONDS = 300
    settings.SMS_CHECK_DELAY_SECONDS = 30
    settings.SMS_CHECK_WINDOW_SECONDS = 600
    with transaction.atomic():
        ids = {
            str(
                notification_send(
                    template="verification_code",
                    to=f"138{i:08d}",
                    params={"code": f"{i:06d}", "minutes": 5},
                    center=center,
                    now=MORNING,
                ).message_id
            )
            for i in range(1000)
        }
    provider = FaultyProvider(failure_rate=0.3, seed=20260312, receipt_delay=20)
    rng = random.Random(1)
    with time_machine.travel(MORNING, tick=False) as clock:
        # Worker 1 is killed mid-batch after 250 sends: its current batch stays `sending`.
        with pytest.raises(WorkerKilled):
            dispatch_due(None, backend=KillAfter(provider, 250), batch_size=40, rng=rng)
        assert OutboxMessage.objects.filter(status=S.SENDING).count() > 0
        # Worker 2 claims a batch and dies before sending anything.
        _, orphaned = claim_batch(now=timezone.now(), limit=30)
        assert len(orphaned) == 30
        # Worker 3 is killed too, a little later.
        clock.shift(dt.timedelta(seconds=10))
        with pytest.raises(WorkerKilled):
            dispatch_due(None, backend=KillAfter(provider, 300), batch_size=40, rng=rng)

        rounds, totals = 0, Counter()
        while OutboxMessage.objects.exclude(status=S.SENT).exists():
            rounds += 1
            assert rounds < 60, "messages are not converging"
            clock.shift(dt.timedelta(minutes=2))  # past the receipt delay and a check step
            if rounds % 10 == 0:
                clock.shift(dt.timedelta(minutes=61))  # past every lease and back-off
            r = dispatch_due(None, backend=provider, batch_size=40, max_batches=1000, rng=rng)
            totals.update(found=r.found, resent=r.resent_unknown, checking=r.checking)

    print(
        f"\n1000 条，故障 30 %（拒绝 {provider.refused}，受理后丢失应答 {provider.lost}），"
        f"3 个工作进程被杀：发送请求 {sum(provider.requests.values())} 次，"
        f"向通道查询 {provider.queries} 次（查到 {totals['found']}，"
        f"查无后重发 {totals['resent']}），{rounds} 轮"
    )
    assert Counter(OutboxMessage.objects.values_list("status", flat=True)) == {S.SENT: 1000}
    received = provider.phones.received
    assert set(received) == ids  # none lost
    assert [n for n in received.values() if n != 1] == []  # none duplicated on the phone
    assert sum(received.values()) == 1000
    # The faults were real: refusals, lost answers and kills made the worker ask the
    # provider instead of resending.
    assert provider.refused > 100 and provider.lost > 100
    assert totals["found"] >= provider.lost
    assert provider.queries >= provider.lost + 30
    assert OutboxMessage.objects.aggregate(n=Sum("duplicates"))["n"] == 0
    assert not OutboxMessage.objects.filter(claim_token__isnull=False).exists()
    assert PhoneCallTask.objects.count() == 0


def test_a_message_that_keeps_killing_workers_is_given_up(send, settings):
    settings.SMS_MAX_ATTEMPTS = 3
    settings.SMS_LEASE_SECONDS = 60
    message = send()
    now = MORNING
    claim_batch(now=now, limit=10)  # claimed, worker dies
    for _ in range(3):  # reclaimed after each lease, and the worker dies again
        now += dt.timedelta(seconds=61)
        _, rows = claim_batch(now=now, limit=10)
        assert [r.pk for r in rows] == [message.pk]
    message.refresh_from_db()
    assert message.attempts == 3
    now += dt.timedelta(seconds=61)
    gateway = FaultyProvider(failure_rate=0)
    # Its last claim may have reached the provider: it is checked first, not resent.
    first = dispatch_due(now, backend=gateway)
    assert (first.checking, first.queries, first.failed) == (1, 1, 0)
    message.refresh_from_db()
    assert message.status == S.CHECKING
    # Not on record after the window: it would be resent, but it has used its attempts.
    later = dispatch_due(now + dt.timedelta(seconds=601), backend=gateway)
    assert (later.resent_unknown, later.failed) == (1, 1)
    assert gateway.requests == {}
    message.refresh_from_db()
    assert message.status == S.FAILED and "工作进程中断" in message.last_error
    assert PhoneCallTask.objects.filter(message=message).exists()
