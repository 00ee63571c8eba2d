"""The tickets the hot statements hand back are the ORM's tickets."""

import datetime as dt

import pytest
from django.conf import settings
from django.db.models.signals import post_init

from govhall.queueing import services, statements
from govhall.queueing.models import Ticket
from govhall.queueing.tests.conftest import at

pytestmark = pytest.mark.django_db


def _fields(ticket: Ticket) -> dict:
    return {f.attname: getattr(ticket, f.attname) for f in Ticket._meta.concrete_fields}


def _called_ticket(q) -> Ticket:
    services.window_open(window=q.w1, actor=q.clerk1, now=at(9))
    services.ticket_issue(center=q.center, category=q.cats["A"], phone="13812345678", now=at(9, 1))
    return services.window_call_next(window=q.w1, actor=q.clerk1, now=at(9, 2))


def test_a_ticket_built_from_its_row_equals_the_one_the_orm_reads(q):
    called = _called_ticket(q)
    assert called._state.adding is False and called._state.db == "default"
    assert _fields(called) == _fields(Ticket.objects.get(pk=called.pk))
    assert called.called_at == at(9, 2) and called.called_at.tzinfo is not None
    assert called.category.letter == "A"  # relations load as on any instance


def test_a_finished_ticket_defers_the_columns_not_read(q):
    called = _called_ticket(q)
    finished, _ = services.window_finish_and_call_next(
        window=q.w1, ticket_id=called.pk, actor=q.clerk1, now=at(9, 9)
    )
    assert finished.get_deferred_fields() >= {"phone", "finished_at"}
    assert finished.phone == "13812345678"  # loaded when asked for
    assert finished.finished_at == at(9, 9)


def test_listeners_to_new_instances_still_hear_of_these(q):
    heard = []

    def listener(sender, instance, **kwargs):
        heard.append(instance.pk)

    post_init.connect(listener, sender=Ticket)
    try:
        called = _called_ticket(q)
    finally:
        post_init.disconnect(listener, sender=Ticket)
    assert called.pk in heard
    assert _fields(called) == _fields(Ticket.objects.get(pk=called.pk))


@pytest.mark.skipif(not settings.IS_SQLITE, reason="SQLite's converters only")
def test_sqlite_times_as_the_driver_gives_them_come_back_aware_in_utc(q):
    called = _called_ticket(q)
    row = [getattr(called, f.attname) for f in Ticket._meta.concrete_fields]
    column = statements.TICKET_ATTNAMES.index("called_at")
    naive_utc = called.called_at.astimezone(dt.UTC).replace(tzinfo=None)
    # sqlite3 parses a declared datetime column; a value it did not parse is text
    for raw in (naive_utc, naive_utc.isoformat(sep=" ")):
        row[column] = raw
        converted = statements.ticket_from_row(tuple(row)).called_at
        assert converted == at(9, 2) and converted.utcoffset() == dt.timedelta(0)
    row[column] = None
    assert statements.ticket_from_row(tuple(row)).called_at is None
