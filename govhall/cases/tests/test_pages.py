"""Pages: window intake (complete → receipt, incomplete → one-time list), the department's
review console, a case's page and decisions, the public progress page; scope denials."""

from __future__ import annotations

import pytest
import time_machine

from govhall.cases import services
from govhall.cases.models import Case, IntakeRefusal
from govhall.org.testing import make_center, make_user

from .conftest import at, intake, person_id

pytestmark = pytest.mark.django_db


def form(item, *, complete=True):
    data = {
        "center": item.center.code,
        "item": item.code,
        "applicant_kind": "person",
        "applicant_name": "王小二",
        "id_type": "resident_id",
        "id_number": person_id(3),
        "phone": "13700005678",
        "channel": "window",
        "delivery": "pickup",
    }
    for m in item.published.materials.order_by("position"):
        if complete or m.position == 1:
            data[f"m{m.pk}_provided"] = "on"
            data[f"m{m.pk}_original"] = "on"
        data[f"m{m.pk}_form"] = "paper"
        data[f"m{m.pk}_copies"] = str(m.copies)
    return data


def test_window_intake_incomplete_then_complete(client, center, item, clerk):
    client.force_login(clerk)
    with time_machine.travel(at(2026, 3, 6, 10), tick=False):
        page = client.get(f"/cases/intake/?center={center.code}&item={item.code}")
        assert page.status_code == 200
        assert "材料核验清单" in page.content.decode() and "经营场所平面图" in page.content.decode()
        refused = client.post("/cases/intake/", form(item, complete=False))
        assert refused.status_code == 302
        refusal = IntakeRefusal.objects.get()
        assert refused["Location"] == f"/cases/refusal/{refusal.pk}/"
        shown = client.get(refused["Location"]).content.decode()
        assert "营业执照：未提供" in shown and "经营场所平面图：未提供" in shown
        assert Case.objects.count() == 0
        taken = client.post("/cases/intake/", form(item))
        case = Case.objects.get()
        assert taken["Location"] == f"/cases/c/{case.number}/"
        assert case.window == clerk.home_window and case.clerk == clerk
        detail = client.get(taken["Location"]).content.decode()
        assert "收件凭证" in detail and "2026-03-13" in detail


def test_intake_bad_id_shows_the_field_and_writes_nothing(client, center, item, clerk):
    client.force_login(clerk)
    data = form(item)
    data["id_number"] = "230102199001010011"
    response = client.post("/cases/intake/", data)
    assert response.status_code == 422
    assert "校验位" in response.content.decode()
    assert Case.objects.count() == 0 and IntakeRefusal.objects.count() == 0


def test_review_console_orders_by_due_and_marks_overdue(client, center, item, clerk, approver):
    old = intake(center, item, clerk, 1, now=at(2026, 3, 2, 9)).case  # due 9 March
    new = intake(center, item, clerk, 2, now=at(2026, 3, 6, 9)).case  # due 13 March
    client.force_login(approver)
    with time_machine.travel(at(2026, 3, 10, 9), tick=False):
        html = client.get("/cases/").content.decode()
    assert html.index(old.number) < html.index(new.number)
    assert '<tr class="overdue">' in html and "（已逾期）" in html


def test_approver_accepts_on_the_case_page_and_progress_shows_it(
    client, center, item, clerk, approver
):
    case = intake(center, item, clerk, now=at(2026, 3, 6, 9)).case
    client.force_login(approver)
    with time_machine.travel(at(2026, 3, 9, 9), tick=False):
        response = client.post(
            f"/cases/c/{case.number}/", {"action": "decide", "decision": "accept"}
        )
        assert response.status_code == 302
        client.logout()
        page = client.get(f"/progress/?case_no={case.number}&phone_last4=0001")
    html = page.content.decode()
    assert 'id="progress-stage">已受理<' in html
    assert "受理通知书" in html and "张*丰" in html and "张三丰" not in html


def test_progress_wrong_digits_look_like_unknown(client, center, item, clerk):
    case = intake(center, item, clerk, now=at(2026, 3, 6, 9)).case
    wrong = client.get(f"/progress/?case_no={case.number}&phone_last4=9999").content.decode()
    unknown = client.get("/progress/?case_no=HL-C01-2026-123456&phone_last4=9999").content.decode()
    assert "未找到该办件" in wrong
    assert wrong.replace(case.number, "X") == unknown.replace("HL-C01-2026-123456", "X")


def test_pages_scope_other_department_and_other_center_404(
    client, center, item, clerk, approver, other_approver
):
    case = intake(center, item, clerk, now=at(2026, 3, 6, 9)).case
    doc = services.case_decide(case=case, decision="accept", actor=approver, now=at(2026, 3, 9, 9))[
        1
    ]
    far = make_center("HL-C98", "远方县政务服务中心")
    for user in (other_approver, make_user("clerk-far2", ("clerk", far))):
        client.force_login(user)
        assert client.get(f"/cases/c/{case.number}/").status_code == 404
        assert client.get(f"/cases/c/{case.number}/doc/{doc.pk}/").status_code == 404
        assert case.number not in client.get("/cases/").content.decode()
        for action in (
            {"action": "decide", "decision": "reject", "reason": "x"},
            {"action": "withdraw", "reason": "x"},
        ):
            assert client.post(f"/cases/c/{case.number}/", action).status_code == 404
    case.refresh_from_db()
    assert case.status == "accepted" and case.events.count() == 2  # nothing written
    client.force_login(approver)
    pdf = client.get(f"/cases/c/{case.number}/doc/{doc.pk}/")
    assert pdf.status_code == 200 and pdf.content == doc.read_bytes()


def test_review_console_lists_corrections_not_supplied_in_time_for_return(
    client, center, item, clerk, approver
):
    """退件 (7.2.3): the cases whose correction period ran out are listed for the department,
    marked so it can return them; one still within its period is listed unmarked."""
    late = intake(center, item, clerk, 1, now=at(2026, 3, 2, 9)).case
    fresh = intake(center, item, clerk, 2, now=at(2026, 3, 2, 9)).case
    material = item.published.materials.order_by("position").first()
    for case, day in ((late, 3), (fresh, 9)):
        services.case_decide(
            case=case,
            decision="correct",
            items=[{"material_id": material.pk, "reason": "申请书未签字"}],
            actor=approver,
            now=at(2026, 3, day, 10),
        )
    late.refresh_from_db()
    fresh.refresh_from_db()
    assert late.correction_due < fresh.correction_due
    client.force_login(approver)
    with time_machine.travel(at(2026, 3, 12, 9), tick=False):
        today = at(2026, 3, 12, 9).date()
        assert late.correction_due < today <= fresh.correction_due
        html = client.get("/cases/").content.decode()
    waiting = html[html.index('id="waiting"') :]
    assert waiting.index(late.number) < waiting.index(fresh.number)
    late_row = waiting[: waiting.index(fresh.number)]
    fresh_row = waiting[waiting.index(fresh.number) :]
    assert '<tr class="overdue">' in late_row and "（已逾期，可退件）" in late_row
    assert "已逾期" not in fresh_row.split("</tr>")[0]
