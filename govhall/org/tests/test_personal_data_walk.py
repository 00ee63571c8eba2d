"""Issue 28, masking where data is shown: every staff page, API listing, export (CSV, XLSX
cell by cell), PDF and admin changelist / change page, as each role, shows no full ID
number, mobile or landline — except the call-task page, which shows the number to dial
(each read audited; its script names the person), and the admin's audited 查看完整信息
(checked at the end)."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from govhall.core.models import AuditEntry
from govhall.core.testing import pdf_text
from govhall.org.models import Role
from govhall.org.testing import make_department, make_user

from .personal_data import ADMIN_MODELS, PEOPLE, admin_viewer, build, leaks

pytestmark = pytest.mark.django_db

ROLES = [
    "superuser",
    Role.ADMIN,
    Role.MANAGER,
    Role.INSPECTOR,
    Role.CLERK,
    Role.CONSULTANT,
    Role.GUIDE,
    Role.APPROVER,
    Role.OUTPUT_CLERK,
    Role.PROXY,
]


def _text(response) -> str:
    """What a person or program reads from a response: text, every XLSX cell, PDF text."""
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in content_type:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    if content_type.startswith("application/pdf"):
        return pdf_text(body)
    return body.decode("utf-8", "replace")


def _viewer(role: str, world):
    if role == "superuser":
        return make_user("root", superuser=True)
    extra = (make_department(world.a),) if role == Role.APPROVER else ()
    user = admin_viewer(f"{role}-a", role, world.a)
    if extra:
        user.roles.filter(role=role).update(department=extra[0])
    return user


def _doors(world) -> list[tuple[str, str]]:
    mine = world.appointments["A"]
    day = "2026-03-09"
    doors = [
        ("page", "/staff/"),
        ("page", f"/appointments/?center={world.a.code}&date={day}"),
        ("csv", f"/appointments/?center={world.a.code}&date={day}&export=csv"),
        ("xlsx", f"/appointments/?center={world.a.code}&date={day}&export=xlsx"),
        ("page", f"/appointments/a/{mine.code}/"),
        ("page", "/appointments/new/"),
        ("page", "/notifications/calls/"),
        ("page", "/notifications/calls/?done=1"),
        ("page", f"/booking/c/{mine.code}/"),
        ("pdf", f"/booking/c/{mine.code}/pdf"),
        ("page", "/window/"),
        ("page", "/guide/"),
        ("api", "/api/v1/windows"),
        ("api", "/api/v1/staff"),
        ("api", f"/api/v1/appointments/slots?center={world.a.code}"),
    ]
    # Every admin changelist and every visible change page.
    for model in apps.get_models():
        if not admin.site.is_registered(model):
            continue
        opts = model._meta
        doors.append(("admin", reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")))
        pks = model._default_manager.values_list("pk", flat=True)
        # Every row of the models holding personal data; a few of every other.
        for pk in pks if opts.label_lower in ADMIN_MODELS else pks[:3]:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
            doors.append(("admin", url))
    return doors


@pytest.mark.parametrize("role", ROLES)
def test_no_full_personal_data_behind_any_door(client, role):
    world = build()
    user = _viewer(role, world)
    client.force_login(user)
    found, answered = [], set()
    for kind, url in _doors(world):
        response = client.get(url)
        if response.status_code != 200:
            continue
        answered.add(url)
        for value in leaks(_text(response), names=False):
            found.append((kind, url, value))
    # The call-task page shows the landline to dial, audited; nothing else.
    for key, task in world.call_tasks.items():
        url = f"/notifications/calls/{task.pk}/"
        response = client.get(url)
        if response.status_code != 200:
            continue
        answered.add(url)
        expected = [PEOPLE[key].landline]
        assert leaks(_text(response), names=False) == expected, (role, url)
        assert AuditEntry.objects.filter(
            action="govhall.notifications.call_task.phone_viewed", actor=user
        ).exists()
    assert found == []
    # The walk reached the doors that do hold the data (a refusal everywhere proves nothing).
    reached = {
        "superuser": {
            f"/admin/appointments/appointment/{world.appointments['A'].pk}/change/",
            f"/admin/notifications/outboxmessage/{world.messages['B'].pk}/change/",
            "/admin/notifications/sentsms/",
            f"/admin/notifications/phonecalltask/{world.call_tasks['A'].pk}/change/",
        },
        Role.MANAGER: {
            f"/appointments/?center={world.a.code}&date=2026-03-09&export=xlsx",
            f"/appointments/a/{world.appointments['A'].code}/",
            f"/admin/appointments/appointment/{world.appointments['A'].pk}/change/",
            f"/notifications/calls/{world.call_tasks['A'].pk}/",
        },
        Role.CLERK: {f"/notifications/calls/{world.call_tasks['A'].pk}/"},
    }.get(role, set())
    assert reached <= answered, reached - answered
    assert f"/admin/appointments/appointment/{world.appointments['B'].pk}/change/" not in (
        answered if role != "superuser" else set()
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [("superuser", 200), (Role.MANAGER, 200), (Role.ADMIN, 200), (Role.CLERK, 403)],
)
def test_full_information_only_for_roles_that_need_it_and_audited(client, role, status):
    world = build()
    user = _viewer(role, world)
    client.force_login(user)
    appointment = world.appointments["A"]
    url = f"/admin/appointments/appointment/{appointment.pk}/full/"
    response = client.post(url)
    assert response.status_code == status
    entries = AuditEntry.objects.filter(
        action="govhall.appointments.appointment.full_viewed", actor=user
    )
    if status == 200:
        person = PEOPLE["A"]
        assert leaks(response.content.decode()) == [person.name, person.phone, person.id_number]
        assert entries.count() == 1
    else:
        assert leaks(response.content.decode()) == []
        assert entries.count() == 0
