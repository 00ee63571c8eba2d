"""govhall.core.workflow: a move checked against the model's table, recorded once."""

from __future__ import annotations

import pytest
from django.db import transaction

from govhall.core import workflow
from govhall.core.errors import InvalidTransition
from govhall.core.models import AuditEntry
from govhall.queueing.models import Channel, Ticket, TicketEvent
from govhall.queueing.tests.conftest import WORKDAY_10, make_queue


def _ticket(q, status: str = Ticket.Status.WAITING) -> Ticket:
    return Ticket.objects.create(
        center=q.center,
        category=q.cats["A"],
        number="A001",
        day=WORKDAY_10.date(),
        seq=1,
        channel=Channel.KIOSK,
        status=status,
        issued_at=WORKDAY_10,
        original_issued_at=WORKDAY_10,
    )


@pytest.fixture
def q(db):
    return make_queue("WF-1")


@pytest.mark.parametrize("lock", [True, False])
def test_allowed_move_writes_state_event_audit_and_outbox(q, lock):
    ticket = _ticket(q)
    sent = []
    with transaction.atomic():
        moved = workflow.transition(
            ticket,
            Ticket.Status.CALLED,
            action="call",
            actor=q.clerk1,
            now=WORKDAY_10,
            reason="叫号",
            changes={"window": q.w1, "called_at": WORKDAY_10},
            lock=lock,
            event={"center_id": q.center.pk, "window_id": q.w1.pk},
            audit_verb="called",
            audit_data={"number": "A001"},
            audit_chain="queue:WF-1",
            outbox=[lambda t: sent.append((t.pk, t.status))],
        )
    assert moved.status == "called"
    row = Ticket.objects.get(pk=ticket.pk)
    assert (row.status, row.window_id, row.called_at) == ("called", q.w1.pk, WORKDAY_10)
    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.action, event.from_status, event.to_status, event.reason) == (
        "call",
        "waiting",
        "called",
        "叫号",
    )
    assert (event.center_id, event.window_id, event.actor_id) == (q.center.pk, q.w1.pk, q.clerk1.pk)
    entry = AuditEntry.objects.get(object_id=str(ticket.pk))
    assert entry.action == "govhall.queueing.ticket.called"
    assert entry.chain == "queue:WF-1"
    assert entry.data == {"from": "waiting", "to": "called", "reason": "叫号", "number": "A001"}
    assert sent == [(ticket.pk, "called")]


@pytest.mark.parametrize("lock", [True, False])
def test_move_outside_the_table_is_invalid_transition_and_writes_nothing(q, lock):
    ticket = _ticket(q, Ticket.Status.DONE)
    entries = AuditEntry.objects.count()
    with pytest.raises(InvalidTransition) as caught, transaction.atomic():
        workflow.transition(
            ticket, Ticket.Status.CALLED, action="call", actor=None, now=WORKDAY_10, lock=lock
        )
    assert caught.value.status == 409
    assert caught.value.code == "invalid_transition"
    assert caught.value.message == "排队号当前为“服务结束”，不能执行此操作。"
    assert Ticket.objects.get(pk=ticket.pk).status == "done"
    assert TicketEvent.objects.count() == 0
    assert AuditEntry.objects.count() == entries


def test_refused_message_is_the_callers(q):
    ticket = _ticket(q, Ticket.Status.CANCELLED)
    with pytest.raises(InvalidTransition, match=r"^号码 A001 已取消$"), transaction.atomic():
        workflow.transition(
            ticket,
            Ticket.Status.CALLED,
            action="call",
            actor=None,
            now=WORKDAY_10,
            refused=lambda t: f"号码 {t.number} 已取消",
        )


def test_locked_move_judges_the_stored_state_not_the_callers_copy(q):
    stale = _ticket(q)
    Ticket.objects.filter(pk=stale.pk).update(status=Ticket.Status.CANCELLED)
    with pytest.raises(InvalidTransition), transaction.atomic():
        workflow.transition(stale, Ticket.Status.CALLED, action="call", actor=None, now=WORKDAY_10)
    assert Ticket.objects.get(pk=stale.pk).status == "cancelled"


def test_conditional_move_loses_to_a_concurrent_change(q):
    stale = _ticket(q)
    Ticket.objects.filter(pk=stale.pk).update(status=Ticket.Status.CANCELLED)
    with (
        pytest.raises(InvalidTransition, match="刚被他人改变"),
        transaction.atomic(),
    ):
        workflow.transition(
            stale, Ticket.Status.CALLED, action="call", actor=None, now=WORKDAY_10, lock=False
        )
    assert Ticket.objects.get(pk=stale.pk).status == "cancelled"
    assert TicketEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_refuses_to_run_outside_a_transaction(q):
    ticket = _ticket(q)
    with pytest.raises(RuntimeError, match="inside the caller's transaction"):
        workflow.transition(ticket, Ticket.Status.CALLED, action="call", actor=None, now=WORKDAY_10)
    assert Ticket.objects.get(pk=ticket.pk).status == "waiting"


def test_resolve_now_keeps_the_given_time():
    assert workflow.resolve_now(WORKDAY_10) is WORKDAY_10


def test_record_writes_the_event_and_audit_of_a_change_that_is_not_a_move(q):
    """Creation and other non-moves (a booking, a reminder) are recorded by the same helper
    as moves: one event row, one audit entry with from/to/reason and the caller's data."""
    ticket = _ticket(q)
    with transaction.atomic():
        workflow.record(
            ticket,
            action="issued",
            from_status="",
            actor=q.clerk1,
            now=WORKDAY_10,
            reason="现场取号",
            event={"center_id": q.center.pk},
            audit_data={"number": "A001"},
            audit_chain="queue:WF-1",
        )
    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.action, event.from_status, event.to_status, event.at) == (
        "issued",
        "",
        "waiting",
        WORKDAY_10,
    )
    assert (event.center_id, event.actor_id) == (q.center.pk, q.clerk1.pk)
    entry = AuditEntry.objects.get(object_id=str(ticket.pk))
    assert (entry.action, entry.chain) == ("govhall.queueing.ticket.issued", "queue:WF-1")
    assert entry.data == {"from": "", "to": "waiting", "reason": "现场取号", "number": "A001"}
