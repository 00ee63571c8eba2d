"""One rating per matter across channels; bad input; anonymous ratings keep no phone."""

import pytest

from govhall.core.errors import Conflict, InvalidInput, NotFound
from govhall.evaluations.models import Rating, Rectification
from govhall.evaluations.services import rating_submit
from govhall.evaluations.tests.conftest import WORKDAY, finish_ticket, finished_case

pytestmark = pytest.mark.django_db


def test_ticket_rated_once_whatever_the_channel(h):
    ticket = finish_ticket(h)
    first = rating_submit(kind="ticket", matter_id=ticket.pk, channel="sms", level=5, now=WORKDAY)
    assert (first.staff_id, first.window_id, first.department_id, first.item_id) == (
        h.clerk1.pk,
        h.w1.pk,
        h.dept.pk,
        None,
    )
    for channel in ("device", "qr", "online"):
        with pytest.raises(Conflict) as exc:
            rating_submit(kind="ticket", matter_id=ticket.pk, channel=channel, level=1, now=WORKDAY)
        assert exc.value.code == "already_rated"
        assert "只能评价一次" in exc.value.message
    assert Rating.objects.count() == 1
    assert Rating.objects.get().level == 5
    assert not Rectification.objects.exists()


def test_case_rated_once_and_carries_item_and_department(h):
    case = finished_case(h)
    rating = rating_submit(kind="case", matter_id=case.pk, channel="online", level=4, now=WORKDAY)
    assert rating.item_id == h.item.pk and rating.department_id == h.dept.pk
    assert rating.matter_ref == case.number
    with pytest.raises(Conflict):
        rating_submit(kind="case", matter_id=case.pk, channel="box", level=4, actor=h.manager)


def test_window_is_rated_by_everyone_served(h):
    for level in (5, 4):
        rating_submit(kind="window", matter_id=h.w1.pk, channel="qr", level=level, now=WORKDAY)
    assert Rating.objects.filter(matter_kind="window", matter_key__isnull=True).count() == 2


def test_unfinished_ticket_cannot_be_rated(h):
    from govhall.queueing import services

    ticket = services.ticket_issue(center=h.center, category=h.cats["A"], now=WORKDAY)
    with pytest.raises(Conflict) as exc:
        rating_submit(kind="ticket", matter_id=ticket.pk, channel="online", level=5, now=WORKDAY)
    assert exc.value.code == "not_finished"


def test_anonymous_rating_stores_no_phone_or_name(h):
    ticket = finish_ticket(h)
    rating = rating_submit(
        kind="ticket", matter_id=ticket.pk, channel="online", level=2,
        real_name=False, name="张三", phone="13912345678", now=WORKDAY,
    )  # fmt: skip
    rating.refresh_from_db()
    assert (rating.real_name, rating.name, rating.phone) == (False, "", "")
    assert rating.rectification.real_name is False


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"level": 7}, "level"),
        ({"level": "x"}, "level"),
        ({"level": 5, "dimensions": {"attitude": 9}}, "dimensions.attitude"),
        ({"level": 5, "dimensions": {"mood": 3}}, "dimensions"),
        ({"level": 5, "comment": "很" * 1001}, "comment"),
        ({"level": 5, "real_name": True, "phone": "12345"}, "phone"),
        ({"level": 5, "channel": "fax"}, "channel"),
    ],
)
def test_bad_input_names_the_field(h, kwargs, field):
    ticket = finish_ticket(h)
    args = {"kind": "ticket", "matter_id": ticket.pk, "channel": "online", "now": WORKDAY}
    with pytest.raises(InvalidInput) as exc:
        rating_submit(**{**args, **kwargs})
    assert exc.value.errors[0]["field"] == field
    assert not Rating.objects.exists()


def test_unknown_matter_is_404(h):
    with pytest.raises(NotFound):
        rating_submit(kind="ticket", matter_id=999999, channel="online", level=5)
    with pytest.raises(NotFound):
        rating_submit(kind="consultation", matter_id=1, channel="online", level=5)


def test_staff_of_another_center_cannot_enter_a_rating(h):
    case = finished_case(h)
    with pytest.raises(NotFound):
        rating_submit(kind="case", matter_id=case.pk, channel="box", level=5, actor=h.other_manager)
    assert not Rating.objects.exists()


def test_append_only_after_the_rectification_closed(h):
    from govhall.evaluations import services

    ticket = finish_ticket(h)
    first = rating_submit(kind="ticket", matter_id=ticket.pk, channel="sms", level=1, now=WORKDAY)
    with pytest.raises(Conflict) as exc:
        rating_submit(
            kind="ticket", matter_id=ticket.pk, channel="sms", level=4, append=True, now=WORKDAY
        )
    assert exc.value.code == "not_appendable"
    rect = first.rectification
    rect = services.rectification_verify(
        rect=rect, founded=False, note="录像显示正常", actor=h.manager
    )
    assert rect.status == "closed"  # anonymous and unfounded
    again = rating_submit(
        kind="ticket", matter_id=ticket.pk, channel="sms", level=4, append=True, now=WORKDAY
    )
    assert again.appended_to_id == first.pk and again.matter_key is None
    with pytest.raises(Conflict):
        rating_submit(
            kind="ticket", matter_id=ticket.pk, channel="sms", level=5, append=True, now=WORKDAY
        )
