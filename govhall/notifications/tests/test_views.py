import pytest
from django.db import transaction
from django.urls import reverse

from govhall.core.models import AuditEntry
from govhall.notifications.models import PhoneCallTask
from govhall.org.testing import TEST_PASSWORD, make_center, make_user
from govhall.org.workbench import screens_for

pytestmark = pytest.mark.django_db

CASE = {
    "name": "张三",
    "item": "食品经营许可",
    "case_no": "SCJG2026000123",
    "link": "https://x/d/ab",
}


@pytest.fixture
def tasks(send, center):
    other = make_center("230000-O", "另一个县政务服务中心")
    mine = send(template="case_correction", to="0451-86221234", params=CASE, center=center)
    theirs = send(template="case_rejected", to="", params=CASE, center=other)
    return mine.call_task, theirs.call_task


def login(client, username, *roles):
    user = make_user(username, *roles)
    assert client.login(username=username, password=TEST_PASSWORD)
    return user


def test_screen_is_registered_for_the_four_roles():
    for role in ("consultant", "guide", "manager", "clerk"):
        assert "notifications.calls" in [s.key for s in screens_for({role})]
    assert "notifications.calls" not in [s.key for s in screens_for({"approver"})]


def test_login_required(client):
    response = client.get(reverse("notifications:calls"))
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


def test_other_roles_are_refused(client, center):
    login(client, "appr", ("approver", center))
    assert client.get(reverse("notifications:calls")).status_code == 403


def test_list_shows_only_open_tasks_of_my_centers_masked(client, center, tasks):
    _mine, theirs = tasks
    login(client, "guide1", ("guide", center))
    response = client.get(reverse("notifications:calls"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "需补正材料" in html and "不予受理" not in html
    assert "0451-86221234" not in html  # masked in the list
    assert client.get(reverse("notifications:call_detail", args=[theirs.pk])).status_code == 404


def test_record_outcomes(client, center, tasks):
    mine, _ = tasks
    user = login(client, "clerk1", ("clerk", center))
    url = reverse("notifications:call_detail", args=[mine.pk])
    page = client.get(url).content.decode()
    assert "0451-86221234" in page  # the number to dial, shown in full here…
    assert "您好，我是测试县政务服务中心。" in page  # A.3.5; this clerk has no window
    assert AuditEntry.objects.filter(  # …and that read is audited
        action="govhall.notifications.call_task.phone_viewed", actor=user
    ).exists()

    response = client.post(url, {"outcome": "no_answer", "note": "上午无人接"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.calls, mine.outcome) == ("open", 1, "no_answer")

    client.post(url, {"outcome": "reached", "note": "已告知补正内容"})
    mine.refresh_from_db()
    assert (mine.status, mine.calls, mine.outcome) == ("done", 2, "reached")
    assert mine.done_by == user
    assert "上午无人接" in mine.note and "已告知补正内容" in mine.note
    entries = AuditEntry.objects.filter(action="govhall.notifications.call_task.outcome")
    assert entries.count() == 2
    # Done tasks leave the open list and appear under 已完成.
    assert "需补正材料" not in client.get(reverse("notifications:calls")).content.decode()
    assert "已接通告知" in client.get(reverse("notifications:calls") + "?done=1").content.decode()
    # A done task cannot be recorded again.
    client.post(url, {"outcome": "wrong_number"})
    mine.refresh_from_db()
    assert mine.outcome == "reached"


def test_three_unanswered_calls_close_the_task(center, tasks):
    from govhall.notifications.services import call_task_record_outcome

    mine, _ = tasks
    user = make_user("cons", ("consultant", center))
    for _ in range(PhoneCallTask.MAX_CALLS):
        with transaction.atomic():
            call_task_record_outcome(task_id=mine.pk, outcome="no_answer", actor=user)
    mine.refresh_from_db()
    assert (mine.status, mine.outcome, mine.calls) == ("done", "no_answer", 3)


def test_invalid_outcome_rerenders_the_form(client, center, tasks):
    mine, _ = tasks
    login(client, "mgr", ("manager", center))
    response = client.post(
        reverse("notifications:call_detail", args=[mine.pk]), {"outcome": "maybe"}
    )
    assert response.status_code == 200
    mine.refresh_from_db()
    assert mine.calls == 0


def test_a_clerk_at_one_center_and_approver_at_another_sees_only_the_first(client, center, tasks):
    """27.12: the landed scope let a clerk at A who approves at B see B's call tasks."""
    from govhall.core.errors import NotFound
    from govhall.notifications.services import call_task_record_outcome
    from govhall.org.testing import make_department

    mine, theirs = tasks
    other = theirs.center
    user = login(client, "mixed", ("clerk", center), ("approver", other, make_department(other)))
    html = client.get(reverse("notifications:calls")).content.decode()
    assert "需补正材料" in html and "不予受理" not in html
    assert client.get(reverse("notifications:call_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("notifications:call_detail", args=[mine.pk])).status_code == 200
    with pytest.raises(NotFound):
        call_task_record_outcome(task_id=theirs.pk, outcome="reached", actor=user)
    theirs.refresh_from_db()
    assert (theirs.status, theirs.calls) == ("open", 0)


def test_phone_greeting_names_the_center_and_the_callers_window(client, center, tasks):
    """A.3.5: "您好，我是XX政务服务中心XX窗口"."""
    from govhall.org.testing import make_window

    mine, _ = tasks
    user = login(client, "clerk7", ("clerk", center))
    user.home_window = make_window(center, "7")
    user.save()
    page = client.get(reverse("notifications:call_detail", args=[mine.pk])).content.decode()
    greeting = page[page.index('<p id="greeting">') :]
    assert greeting.split("</p>")[0].endswith("您好，我是测试县政务服务中心7号窗口。")
    script = page[page.index('<p id="script">') + len('<p id="script">') :].split("</p>")[0]
    assert script.startswith("张三您好") and "这里是" not in script
    # A task stored with the old greeting does not say it twice.
    PhoneCallTask.objects.filter(pk=mine.pk).update(
        script="您好，这里是测试县政务服务中心。" + script
    )
    page = client.get(reverse("notifications:call_detail", args=[mine.pk])).content.decode()
    assert "这里是" not in page
