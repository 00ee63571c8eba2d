import datetime as dt

import pytest

from govhall.appointments.testing import checked_in_appointment
from govhall.core.errors import Conflict, Forbidden, InvalidInput, InvalidTransition
from govhall.core.models import AuditEntry
from govhall.notifications.models import OutboxMessage
from govhall.queueing import selectors, services
from govhall.queueing.models import Ticket, TicketEvent
from govhall.queueing.tests.conftest import WORKDAY, at

pytestmark = pytest.mark.django_db


def issue(q, letter="A", minute=0, hour=9, **kw):
    return services.ticket_issue(
        center=q.center, category=q.cats[letter], now=at(hour, minute), **kw
    )


def open_all(q, now=None):
    now = now or at(9, 0)
    services.window_open(window=q.w1, actor=q.clerk1, now=now)
    services.window_open(window=q.w2, actor=q.clerk2, now=now)
    services.window_open(window=q.w3, actor=q.clerk3, now=now)


def call(q, window, clerk, hour=10, minute=0):
    return services.window_call_next(window=window, actor=clerk, now=at(hour, minute))


# --- numbering -----------------------------------------------------------------------------


def test_numbers_per_category_and_restart_daily(q):
    assert [issue(q, "A", i).number for i in range(3)] == ["A001", "A002", "A003"]
    assert issue(q, "B", 5).number == "B001"
    next_day = services.ticket_issue(
        center=q.center, category=q.cats["A"], now=at(9, 0, WORKDAY + dt.timedelta(days=3))
    )
    assert next_day.number == "A001"
    assert next_day.day == WORKDAY + dt.timedelta(days=3)


def test_day_is_local_date_not_utc(q):
    # 07:30 Shanghai is 23:30 UTC of the previous day.
    ticket = services.ticket_issue(center=q.center, category=q.cats["A"], now=at(7, 30))
    assert ticket.day == WORKDAY


def test_issue_by_item_picks_covering_category(q):
    from govhall.catalog.models import ServiceItem
    from govhall.org.testing import make_department

    dept = make_department(q.center, "BDC", "不动产登记中心")
    item = ServiceItem.objects.create(
        center=q.center, department=dept, code="QT-BDC-1", name="不动产转移登记", kind="license"
    )
    q.cats["B"].items.add(item)
    ticket = services.ticket_issue(center=q.center, item=item, now=at(9))
    assert ticket.category == q.cats["B"]
    assert list(ticket.items.all()) == [item]
    other = ServiceItem.objects.create(
        center=q.center, department=dept, code="QT-BDC-2", name="未分类事项", kind="license"
    )
    with pytest.raises(InvalidInput) as exc:
        services.ticket_issue(center=q.center, item=other, now=at(9))
    assert exc.value.errors[0]["field"] == "item_code"


def test_issue_bad_input_names_field(q):
    with pytest.raises(InvalidInput) as exc:
        services.ticket_issue(center=q.center, now=at(9))
    assert exc.value.errors[0]["field"] == "category"
    with pytest.raises(InvalidInput) as exc:
        issue(q, phone="12345")
    assert exc.value.errors[0]["field"] == "phone"
    with pytest.raises(InvalidInput) as exc:
        issue(q, priority_group="vip")
    assert exc.value.errors[0]["field"] == "priority_group"
    assert not Ticket.objects.exists()


def test_numbers_past_999_keep_every_digit(q):
    from govhall.queueing.models import TicketCounter

    first = issue(q, "A", 1)
    TicketCounter.objects.filter(category=q.cats["A"], day=first.day).update(last=998)
    assert [issue(q, "A", m).number for m in (2, 3, 4)] == ["A999", "A1000", "A1001"]
    stored = Ticket.objects.filter(category=q.cats["A"]).order_by("seq")
    assert [t.number for t in stored] == ["A001", "A999", "A1000", "A1001"]


def test_issue_writes_ticket_event_item_and_audit_entry_together(q):
    from govhall.catalog.testing import make_item
    from govhall.org.testing import make_department

    item = make_item(q.center, make_department(q.center, "QXD"), code="QX-ITEM-1")
    q.cats["A"].items.add(item)
    ticket = services.ticket_issue(
        center=q.center, item=item, phone="13812345678", actor=q.clerk1, now=at(9, 5)
    )
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.number, stored.seq, stored.status, stored.phone) == (
        "A001",
        1,
        "waiting",
        "13812345678",
    )
    assert stored.token == ticket.token and len(stored.token) >= 16
    assert list(stored.items.values_list("code", flat=True)) == ["QX-ITEM-1"]
    event = TicketEvent.objects.get(ticket=stored)
    assert (event.action, event.to_status, event.actor_id) == ("issue", "waiting", q.clerk1.pk)
    entry = AuditEntry.objects.get(object_id=str(stored.pk), action__endswith="ticket.issued")
    assert entry.data == {"number": "A001", "status": "waiting", "channel": "kiosk"}
    assert (entry.actor_id, entry.object_type) == (q.clerk1.pk, "queueing.ticket")


def test_issue_is_audited_on_center_chain_with_event(q):
    ticket = issue(q, phone="13812345678")
    entry = AuditEntry.objects.get(object_id=str(ticket.pk), action__endswith="ticket.issued")
    assert entry.chain == f"queue:{q.center.code}"
    assert TicketEvent.objects.filter(ticket=ticket, action="issue").count() == 1


# --- ordering ------------------------------------------------------------------------------


def test_priority_group_first_then_time(q):
    services.window_open(window=q.w1, actor=q.clerk1, now=at(9))
    a1 = issue(q, "A", 1)
    a2 = issue(q, "A", 2, priority_group="elderly")
    a3 = issue(q, "A", 3)
    a4 = issue(q, "A", 4, priority_group="disabled")
    order = []
    for m in range(4):
        t = call(q, q.w1, q.clerk1, minute=m * 5)
        order.append(t.number)
        services.ticket_finish(ticket=t, actor=q.clerk1, now=at(10, m * 5 + 1))
    assert order == [a2.number, a4.number, a1.number, a3.number]


def test_appointment_ticket_ranks_with_priority(q):
    services.window_open(window=q.w1, actor=q.clerk1, now=at(9))
    normal = issue(q, "A", 1)
    booked = services.ticket_issue(
        center=q.center,
        category=q.cats["A"],
        appointment_code=checked_in_appointment(q.center, now=at(9, 5)),
        channel="appointment",
        now=at(9, 5),
    )
    assert booked.is_appointment and booked.rank == 0
    assert call(q, q.w1, q.clerk1).pk == booked.pk
    services.ticket_finish(ticket=booked, actor=q.clerk1, now=at(10, 1))
    assert call(q, q.w1, q.clerk1, minute=2).pk == normal.pk


def test_skills_routing_primary_before_other_skills(q):
    """w1 serves A (primary) and B; w2 serves B (primary) and A; w3 only C."""
    open_all(q)
    b_early = issue(q, "B", 1)
    a_late = issue(q, "A", 2)
    c_only = issue(q, "C", 3)
    # w1 takes its primary A although B waited longer; w2 takes B.
    assert call(q, q.w1, q.clerk1).pk == a_late.pk
    assert call(q, q.w2, q.clerk2).pk == b_early.pk
    # C is never offered to w1/w2.
    services.ticket_finish(ticket=a_late, actor=q.clerk1, now=at(10, 1))
    assert call(q, q.w1, q.clerk1, minute=2) is None
    assert call(q, q.w3, q.clerk3).pk == c_only.pk


def test_other_skill_served_when_primary_empty_and_priority_crosses_skills(q):
    open_all(q)
    b1 = issue(q, "B", 1)
    a1 = issue(q, "A", 2)
    b_prio = issue(q, "B", 3, priority_group="pregnant")
    # Priority comes first across all of w1's skills, before its primary A.
    assert call(q, q.w1, q.clerk1).pk == b_prio.pk
    services.ticket_finish(ticket=b_prio, actor=q.clerk1, now=at(10, 1))
    assert call(q, q.w1, q.clerk1, minute=2).pk == a1.pk
    services.ticket_finish(ticket=a1, actor=q.clerk1, now=at(10, 3))
    assert call(q, q.w1, q.clerk1, minute=4).pk == b1.pk


def test_transfer_keeps_original_issue_time(q):
    open_all(q)
    a1 = issue(q, "A", 1)
    for m in range(2, 6):
        issue(q, "B", m)
    called = call(q, q.w1, q.clerk1)
    assert called.pk == a1.pk
    moved = services.ticket_transfer(
        ticket=called, to_category=q.cats["B"], actor=q.clerk1, now=at(10, 5)
    )
    called.refresh_from_db()
    assert called.status == Ticket.Status.TRANSFERRED
    assert moved.number == "A001" and moved.category == q.cats["B"]
    assert moved.original_issued_at == a1.original_issued_at
    assert moved.transferred_from_id == a1.pk
    # Issued at 09:01, it comes before the B tickets issued from 09:02 on.
    assert call(q, q.w2, q.clerk2, minute=6).pk == moved.pk
    assert selectors.live_ticket(called).pk == moved.pk


def test_transfer_to_window_only_that_window_calls_it(q):
    open_all(q)
    a1 = issue(q, "A", 1)
    issue(q, "A", 2)
    t = call(q, q.w1, q.clerk1)
    moved = services.ticket_transfer(ticket=t, to_window=q.w3, actor=q.clerk1, now=at(10, 1))
    assert moved.target_window == q.w3
    # w2 (serves A) does not get the ticket sent to window 3; w3 (C only) does.
    assert call(q, q.w2, q.clerk2, minute=2).number == "A002"
    assert call(q, q.w3, q.clerk3, minute=3).pk == moved.pk
    assert moved.original_issued_at == a1.issued_at


def test_transfer_requires_exactly_one_target(q):
    open_all(q)
    issue(q, "A", 1)
    t = call(q, q.w1, q.clerk1)
    with pytest.raises(InvalidInput):
        services.ticket_transfer(ticket=t, actor=q.clerk1, now=at(10, 1))
    with pytest.raises(InvalidInput):
        services.ticket_transfer(ticket=t, to_window=q.w1, actor=q.clerk1, now=at(10, 1))


# --- transitions ---------------------------------------------------------------------------


def test_full_flow_and_records(q):
    services.window_open(window=q.w1, actor=q.clerk1, now=at(9))
    issue(q, "A", 1)
    t = call(q, q.w1, q.clerk1)
    assert t.status == "called" and t.window == q.w1 and t.staff == q.clerk1
    services.ticket_start(ticket=t, actor=q.clerk1, now=at(10, 2))
    services.ticket_finish(ticket=t, actor=q.clerk1, now=at(10, 12))
    t.refresh_from_db()
    assert (t.called_at, t.started_at, t.finished_at) == (at(10), at(10, 2), at(10, 12))
    assert list(t.events.values_list("action", flat=True)) == ["issue", "call", "start", "finish"]
    with pytest.raises(InvalidTransition):
        services.ticket_start(ticket=t, actor=q.clerk1, now=at(10, 13))


def test_call_next_refused_while_current_ticket_open(q):
    services.window_open(window=q.w1, actor=q.clerk1, now=at(9))
    issue(q, "A", 1)
    issue(q, "A", 2)
    call(q, q.w1, q.clerk1)
    with pytest.raises(InvalidTransition):
        call(q, q.w1, q.clerk1, minute=1)


def test_recall_limit_then_no_show(q):
    services.window_open(window=q.w1, actor=q.clerk1, now=at(9))
    issue(q, "A", 1)
    t = call(q, q.w1, q.clerk1)
    with pytest.raises(InvalidTransition):
        services.ticket_no_show(ticket=t, actor=q.clerk1, now=at(10, 1))
    services.ticket_recall(ticket=t, actor=q.clerk1, now=at(10, 1))
    services.ticket_recall(ticket=t, actor=q.clerk1, now=at(10, 2))
    with pytest.raises(InvalidTransition):
        services.ticket_recall(ticket=t, actor=q.clerk1, now=at(10, 3))
    services.ticket_no_show(ticket=t, actor=q.clerk1, now=at(10, 4))
    t.refresh_from_db()
    assert t.status == "no_show" and t.recall_count == 2


def test_requeue_puts_ticket_back_with_its_place(q):
    services.window_open(window=q.w1, actor=q.clerk1, now=at(9))
    first = issue(q, "A", 1)
    issue(q, "A", 2)
    t = call(q, q.w1, q.clerk1)
    services.ticket_requeue(ticket=t, actor=q.clerk1, now=at(10, 1))
    assert call(q, q.w1, q.clerk1, minute=2).pk == first.pk


def test_call_next_none_when_nobody_waits(q):
    services.window_open(window=q.w1, actor=q.clerk1, now=at(9))
    assert call(q, q.w1, q.clerk1) is None


def test_window_rules(q):
    with pytest.raises(InvalidTransition):
        call(q, q.w1, q.clerk1)  # not signed in
    services.window_open(window=q.w1, actor=q.clerk1, now=at(9))
    with pytest.raises(Conflict):
        services.window_open(window=q.w1, actor=q.clerk2, now=at(9))
    with pytest.raises(Forbidden):
        call(q, q.w1, q.clerk2)
    with pytest.raises(Forbidden):
        call(q, q.w1, q.guide)
    with pytest.raises(InvalidInput) as exc:
        services.window_pause(window=q.w1, reason=" ", actor=q.clerk1, now=at(9, 5))
    assert exc.value.errors[0]["field"] == "reason"
    services.window_pause(window=q.w1, reason="取材料", actor=q.clerk1, now=at(9, 5))
    issue(q, "A", 6)
    with pytest.raises(InvalidTransition):
        call(q, q.w1, q.clerk1)  # paused
    services.window_open(window=q.w1, actor=q.clerk1, now=at(9, 10))  # resume
    t = call(q, q.w1, q.clerk1)
    with pytest.raises(InvalidTransition):
        services.window_close(window=q.w1, actor=q.clerk1, now=at(10, 1))
    services.ticket_finish(ticket=t, actor=q.clerk1, now=at(10, 2))
    session = services.window_close(window=q.w1, actor=q.clerk1, now=at(10, 3))
    assert session.closed_at == at(10, 3)


# --- SMS and estimates ---------------------------------------------------------------------


def test_sms_when_three_people_ahead_once(q):
    services.window_open(window=q.w1, actor=q.clerk1, now=at(9))
    for m in range(4):
        issue(q, "A", m)
    watched = issue(q, "A", 5, phone="13812345678")
    assert selectors.ticket_ahead(watched) == 4
    assert not OutboxMessage.objects.exists()
    t = call(q, q.w1, q.clerk1)
    assert selectors.ticket_ahead(watched) == 3
    msg = OutboxMessage.objects.get()
    assert msg.template == "queue_turn_near" and msg.to == "13812345678" and msg.urgent
    # The outbox stores parameters as the text that goes into the SMS.
    assert msg.params == {"number": "A005", "ahead": "3", "category": "综合业务"}
    assert "A005" in msg.body and "3" in msg.body
    services.ticket_finish(ticket=t, actor=q.clerk1, now=at(10, 1))
    call(q, q.w1, q.clerk1, minute=2)
    assert OutboxMessage.objects.count() == 1


def test_estimate_uses_recent_service_times_and_open_windows(q):
    cat = q.cats["A"]
    cat.default_service_minutes = 8
    cat.save()
    assert selectors.mean_service_minutes(cat, at(9)) == 8
    services.window_open(window=q.w1, actor=q.clerk1, now=at(9))
    for m in range(5):
        issue(q, "A", m)
    t = call(q, q.w1, q.clerk1, minute=0)
    services.ticket_start(ticket=t, actor=q.clerk1, now=at(10, 0))
    services.ticket_finish(ticket=t, actor=q.clerk1, now=at(10, 4))
    assert selectors.mean_service_minutes(cat, at(10, 5)) == 4
    rows = {r["category"]: r for r in selectors.queue_status(q.center, at(10, 5))}
    assert rows["A"]["waiting"] == 4 and rows["A"]["open_windows"] == 1
    assert rows["A"]["estimated_wait_minutes"] == 16
    services.window_open(window=q.w2, actor=q.clerk2, now=at(10, 5))
    rows = {r["category"]: r for r in selectors.queue_status(q.center, at(10, 5))}
    assert rows["A"]["open_windows"] == 2 and rows["A"]["estimated_wait_minutes"] == 8


def test_stale_tickets_cancelled_next_day(q):
    t = issue(q, "A", 1)
    assert services.tickets_close_stale(now=at(9)) == 0
    assert services.tickets_close_stale(now=at(9, 0, WORKDAY + dt.timedelta(days=3))) == 1
    t.refresh_from_db()
    assert t.status == "cancelled"


def test_audit_chain_modes_and_verification(q, settings):
    from govhall.core.audit import verify_chain

    services.window_open(window=q.w1, actor=q.clerk1, now=at(9))
    issue(q, "A", 1)
    t = call(q, q.w1, q.clerk1)
    # Default: one chain per center (window opened, ticket issued, ticket called).
    assert AuditEntry.objects.filter(chain=f"queue:{q.center.code}").count() == 3
    settings.QUEUE_AUDIT_CHAIN = "fine"
    services.ticket_finish(ticket=t, actor=q.clerk1, now=at(10, 1))
    assert AuditEntry.objects.filter(chain=f"queue:{q.center.code}:w1").count() == 1
    settings.QUEUE_AUDIT_CHAIN = "main"
    issue(q, "B", 2)
    assert AuditEntry.objects.filter(chain="main", action__endswith="issued").count() == 1
    assert verify_chain() == []


def open_no_activity_incident(q, session):
    """A 'no activity' 空窗 incident of window 1 since 9:10, detected at 9:15."""
    from govhall.queueing.models import IdleIncident

    return IdleIncident.objects.create(
        window=q.w1,
        session=session,
        staff=q.clerk1,
        kind=IdleIncident.Kind.NO_ACTIVITY,
        started_at=at(9, 10),
        detected_at=at(9, 15),
    )


def test_call_and_finish_write_events_audit_and_end_idle_incident(q):
    """The rows of a call and a finish, whichever path wrote them (on PostgreSQL a single
    statement each)."""
    from govhall.core.audit import verify_chain
    from govhall.queueing.models import WindowSession

    services.window_open(window=q.w1, actor=q.clerk1, now=at(9))
    session = WindowSession.objects.get(window=q.w1, closed_at__isnull=True)
    incident = open_no_activity_incident(q, session)
    ticket = issue(q, "A", 1)
    called = services.window_call_next(window=q.w1, actor=q.clerk1, now=at(9, 20))
    assert called.pk == ticket.pk
    assert (called.status, called.window_id, called.staff_id) == ("called", q.w1.pk, q.clerk1.pk)
    assert called.called_at == at(9, 20)
    incident.refresh_from_db()
    assert (incident.ended_at, incident.duration_seconds) == (at(9, 20), 600)
    session.refresh_from_db()
    assert session.last_activity_at == at(9, 20)

    done = services.ticket_finish(
        ticket=called, actor=q.clerk1, now=at(9, 25) + dt.timedelta(seconds=30)
    )
    assert (done.status, done.finished_at) == ("done", at(9, 25) + dt.timedelta(seconds=30))
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.status, stored.window_id, stored.finished_at) == (
        "done",
        q.w1.pk,
        at(9, 25) + dt.timedelta(seconds=30),
    )
    events = list(
        TicketEvent.objects.filter(ticket=ticket)
        .order_by("id")
        .values_list("action", "from_status", "to_status", "actor_id", "window_id")
    )
    assert events == [
        ("issue", "", "waiting", None, None),
        ("call", "waiting", "called", q.clerk1.pk, q.w1.pk),
        ("finish", "called", "done", q.clerk1.pk, q.w1.pk),
    ]
    entries = list(
        AuditEntry.objects.filter(object_id=str(ticket.pk), object_type="queueing.ticket")
        .order_by("id")
        .values_list("action", "data", "actor_id", "actor_label")
    )
    assert entries == [
        (
            "govhall.queueing.ticket.issued",
            {"number": "A001", "status": "waiting", "channel": "kiosk"},
            None,
            "",
        ),
        (
            "govhall.queueing.ticket.called",
            {
                "from": "waiting",
                "to": "called",
                "reason": "",
                "number": "A001",
                "status": "called",
                "window": q.w1.number,
            },
            q.clerk1.pk,
            str(q.clerk1),
        ),
        (
            "govhall.queueing.ticket.finish",
            {"from": "called", "to": "done", "number": "A001", "status": "done", "reason": ""},
            q.clerk1.pk,
            str(q.clerk1),
        ),
    ]
    session.refresh_from_db()
    assert session.last_activity_at == at(9, 25) + dt.timedelta(seconds=30)
    assert verify_chain() == []


def test_finish_of_a_ticket_no_longer_at_the_window_says_why(q):
    services.window_open(window=q.w1, actor=q.clerk1, now=at(9))
    issue(q, "A", 1)
    called = services.window_call_next(window=q.w1, actor=q.clerk1, now=at(9, 2))
    services.ticket_finish(ticket=called, actor=q.clerk1, now=at(9, 3))
    with pytest.raises(InvalidTransition):
        services.ticket_finish(ticket=called, actor=q.clerk1, now=at(9, 4))
    assert TicketEvent.objects.filter(ticket=called, action="finish").count() == 1


def test_hot_paths_statement_counts(q, settings):
    """Regression guard for the busiest services: their statements counted, not timed (a
    count cannot silently grow). Every statement shows in the query log with its text."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.window_open(window=q.w1, actor=q.clerk1, now=at(9))
    issue(q, "A", 0)  # the day's counter exists
    selectors.window_skills(q.w1.pk)  # kept by the process
    with CaptureQueriesContext(connection) as issued:
        issue(q, "A", 1)
    with CaptureQueriesContext(connection) as called:
        ticket = services.window_call_next(window=q.w1, actor=q.clerk1, now=at(9, 2))
    with CaptureQueriesContext(connection) as finished:
        services.ticket_finish(ticket=ticket, actor=q.clerk1, now=at(9, 3))
    logs = [issued, called, finished]
    assert all(query["sql"] for log in logs for query in log.captured_queries)
    counts = [len(log.captured_queries) for log in logs]
    # Each service in a savepoint (SAVEPOINT and RELEASE counted: the test runs inside a
    # transaction). issue: counter read and move, ticket, event, audit. call-next: the
    # session's activity (two minutes since the last: the usual one UPDATE finds nothing,
    # then read, written and the 空窗 incident looked up), "does the window hold a
    # ticket?", the line heads (one per line: window 1 serves A and B, and the tickets
    # sent to it), the claim, event, audit; then the line read for the "three ahead"
    # text. finish: the ticket under its lock, the session's activity (a minute: four
    # statements again), the move, event, audit.
    shown = "\n".join(q["sql"][:60] for log in logs for q in log.captured_queries)
    assert counts == [7, 14, 10], shown


def test_finish_and_call_next_rows_and_statements(q, settings):
    """办结并叫下一位: the rows of a finish and of a call, written in one transaction, with
    the session touched and a 空窗 incident ended."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from govhall.core.audit import verify_chain
    from govhall.queueing.models import WindowSession

    services.window_open(window=q.w1, actor=q.clerk1, now=at(9))
    first, second = issue(q, "A", 1), issue(q, "A", 2)
    called = services.window_call_next(window=q.w1, actor=q.clerk1, now=at(9, 5))
    session = WindowSession.objects.get(window=q.w1, closed_at__isnull=True)
    incident = open_no_activity_incident(q, session)
    with CaptureQueriesContext(connection) as log:
        finished, nxt = services.window_finish_and_call_next(
            window=q.w1, ticket_id=called.pk, actor=q.clerk1, now=at(9, 20)
        )
    assert (finished.pk, finished.status, finished.finished_at) == (first.pk, "done", at(9, 20))
    assert (nxt.pk, nxt.status, nxt.window_id, nxt.called_at) == (
        second.pk,
        "called",
        q.w1.pk,
        at(9, 20),
    )
    statements = len(log.captured_queries)
    # In a savepoint (the test runs inside a transaction): the ticket under its lock, the
    # session's activity (fifteen minutes since the last: the usual UPDATE finds nothing;
    # read, written, the open 空窗 incident read and ended), the finish, the line heads
    # (three lines), the claim, both events in one INSERT and both audit entries in one;
    # then the line read for the "three ahead" text.
    assert statements == 16, "\n".join(q["sql"][:70] for q in log.captured_queries)
    stored = {t.pk: t for t in Ticket.objects.filter(pk__in=[first.pk, second.pk])}
    assert (stored[first.pk].status, stored[second.pk].status) == ("done", "called")
    actions = list(
        TicketEvent.objects.filter(ticket__in=[first, second])
        .order_by("id")
        .values_list("ticket_id", "action", "from_status", "to_status", "window_id")
    )
    # (one statement on PostgreSQL: the two events' order of insertion is not defined)
    assert sorted(actions[-2:]) == [
        (first.pk, "finish", "called", "done", q.w1.pk),
        (second.pk, "call", "waiting", "called", q.w1.pk),
    ]
    entries = list(
        AuditEntry.objects.filter(
            action__in=["govhall.queueing.ticket.finish", "govhall.queueing.ticket.called"]
        )
        .order_by("id")
        .values_list("object_id", "action", "data")
    )
    assert sorted(entries[-2:], key=lambda e: int(e[0])) == [
        (
            str(first.pk),
            "govhall.queueing.ticket.finish",
            {"from": "called", "to": "done", "number": "A001", "status": "done", "reason": ""},
        ),
        (
            str(second.pk),
            "govhall.queueing.ticket.called",
            {
                "from": "waiting",
                "to": "called",
                "reason": "",
                "number": "A002",
                "status": "called",
                "window": q.w1.number,
            },
        ),
    ]
    session.refresh_from_db()
    incident.refresh_from_db()
    assert session.last_activity_at == at(9, 20)
    assert (incident.ended_at, incident.duration_seconds) == (at(9, 20), 600)
    # The last one: finished, and nobody left to call.
    finished, nxt = services.window_finish_and_call_next(
        window=q.w1, ticket_id=nxt.pk, actor=q.clerk1, now=at(9, 30)
    )
    assert (finished.pk, finished.status, nxt) == (second.pk, "done", None)
    assert verify_chain() == []


def test_finish_and_call_next_of_a_finished_ticket_changes_nothing(q):
    services.window_open(window=q.w1, actor=q.clerk1, now=at(9))
    issue(q, "A", 1), issue(q, "A", 2), issue(q, "A", 3)
    first = services.window_call_next(window=q.w1, actor=q.clerk1, now=at(9, 1))
    _, second = services.window_finish_and_call_next(
        window=q.w1, ticket_id=first.pk, actor=q.clerk1, now=at(9, 2)
    )
    with pytest.raises(InvalidTransition):  # a retry of the same key press
        services.window_finish_and_call_next(
            window=q.w1, ticket_id=first.pk, actor=q.clerk1, now=at(9, 3)
        )
    second.refresh_from_db()
    assert second.status == "called"
    assert Ticket.objects.filter(status="waiting").count() == 1


def _assert_waiting_counts_match():
    """The trigger-kept counts (TicketCounter.waiting_*) against a count of the tickets."""
    from collections import Counter

    from govhall.queueing.models import TicketCounter

    actual = Counter(
        (t.category_id, t.day, 0 if t.rank == 0 else 1)
        for t in Ticket.objects.filter(status="waiting")
    )
    kept = {
        (c.category_id, c.day): (c.waiting_first, c.waiting_rest)
        for c in TicketCounter.objects.all()
    }
    for category_id, day, _rank in actual:
        assert (category_id, day) in kept, "a waiting ticket's line has no counter row"
    for (category_id, day), (first, rest) in kept.items():
        assert (first, rest) == (actual[(category_id, day, 0)], actual[(category_id, day, 1)])


def test_waiting_counts_follow_every_change_and_give_the_new_tickets_place(q):
    """Issue, call, recall, requeue, transfer (to a category and to a window), no-show,
    finish, finish-and-call, the day's-end sweep and a deletion: after each, the counts
    the triggers keep equal a count of the line, and every new ticket's `issued_ahead`
    equals its place counted the slow way."""
    open_all(q)
    minute = 0

    def issue_checked(letter, **kw):
        nonlocal minute
        minute += 1
        ticket = issue(q, letter, minute, **kw)
        assert ticket.issued_ahead == selectors.ticket_ahead(ticket), ticket.number
        _assert_waiting_counts_match()
        return ticket

    for letter, group in ["A", None], ["A", "elderly"], ["B", None], ["A", None], ["C", None]:
        issue_checked(letter, priority_group=group)
    code = checked_in_appointment(q.center, now=at(9, 6))
    issue_checked("A", appointment_code=code, channel="appointment")  # ranks first too
    called = call(q, q.w1, q.clerk1, 10, 0)
    _assert_waiting_counts_match()
    services.ticket_recall(ticket=called, actor=q.clerk1, now=at(10, 1))
    services.ticket_requeue(ticket=called, actor=q.clerk1, now=at(10, 2))
    _assert_waiting_counts_match()
    called = call(q, q.w1, q.clerk1, 10, 3)
    services.ticket_transfer(ticket=called, to_category=q.cats["B"], actor=q.clerk1, now=at(10, 4))
    _assert_waiting_counts_match()
    issue_checked("B")  # after a transferred ticket that kept its earlier time
    called = call(q, q.w2, q.clerk2, 10, 5)
    services.ticket_transfer(ticket=called, to_window=q.w3, actor=q.clerk2, now=at(10, 6))
    _assert_waiting_counts_match()
    called = call(q, q.w1, q.clerk1, 10, 7)
    for minute_ in (8, 9):
        services.ticket_recall(ticket=called, actor=q.clerk1, now=at(10, minute_))
    services.ticket_no_show(ticket=called, actor=q.clerk1, now=at(10, 10))
    called = call(q, q.w1, q.clerk1, 10, 11)
    services.window_finish_and_call_next(
        window=q.w1, ticket_id=called.pk, actor=q.clerk1, now=at(10, 12)
    )
    _assert_waiting_counts_match()
    issue_checked("A", priority_group="disabled")
    services.tickets_close_stale(now=at(9, 0, WORKDAY + dt.timedelta(days=1)))
    assert not Ticket.objects.filter(status="waiting").exists()
    _assert_waiting_counts_match()
    leftover = issue_checked("C")
    Ticket.objects.filter(pk=leftover.pk).delete()
    _assert_waiting_counts_match()


def test_waiting_triggers_come_back_after_a_migrate_that_lost_them(q):
    """SQLite drops a table's triggers when a migration rebuilds the table: the
    post_migrate guard reinstalls them and recounts the lines."""
    from django.apps import apps
    from django.db import connection

    from govhall.queueing.apps import _ensure_waiting_triggers
    from govhall.queueing.migrations import _waiting_triggers as triggers

    issue(q, "A", 1)
    triggers.uninstall(connection)
    assert not triggers.present(connection)
    issue(q, "A", 2)  # not counted: the triggers are gone
    _ensure_waiting_triggers(apps.get_app_config("queueing"), using=connection.alias)
    assert triggers.present(connection)
    _assert_waiting_counts_match()
    issue(q, "A", 3, priority_group="elderly")
    _assert_waiting_counts_match()


# --- what changed meanwhile is seen by the write ------------------------------------------


def test_call_paused_meanwhile_writes_nothing(q):
    """The window was paused by another request after this person's page showed it open:
    the call finds out in its transaction and writes nothing."""
    from govhall.queueing.models import WindowSession

    services.window_open(window=q.w1, actor=q.clerk1, now=at(9))
    waiting = issue(q, "A", 1)
    WindowSession.objects.filter(window=q.w1).update(state=WindowSession.State.PAUSED)
    with pytest.raises(InvalidTransition, match="暂停"):
        services.window_call_next(window=q.w1, actor=q.clerk1, now=at(9, 2))
    waiting.refresh_from_db()
    assert (waiting.status, waiting.window_id) == ("waiting", None)  # the claim rolled back
    assert not TicketEvent.objects.filter(ticket=waiting, action="call").exists()
    assert not AuditEntry.objects.filter(action="govhall.queueing.ticket.called").exists()


def test_finish_of_a_ticket_finished_meanwhile_changes_nothing(q):
    """办结并叫下一位 retried (or sent twice) after the ticket was finished: nothing changes,
    in particular the next person is not called."""
    services.window_open(window=q.w1, actor=q.clerk1, now=at(9))
    first, second = issue(q, "A", 1), issue(q, "A", 2)
    called = services.window_call_next(window=q.w1, actor=q.clerk1, now=at(9, 2))
    services.ticket_finish(ticket=called, actor=q.clerk1, now=at(9, 3))
    with pytest.raises(InvalidTransition):
        services.window_finish_and_call_next(
            window=q.w1, ticket_id=called.pk, actor=q.clerk1, now=at(9, 4)
        )
    second.refresh_from_db()
    assert second.status == "waiting"  # the retry did not call the next person
    assert TicketEvent.objects.filter(ticket=first, action="finish").count() == 1
