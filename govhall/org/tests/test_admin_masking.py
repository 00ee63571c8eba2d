"""27.7: the admin masks personal data, scopes every queryset to the viewer's centers, and
shows full values only through an audited "查看完整信息" — as a center manager with view
permissions, through Django's test client."""

import pytest

from govhall.core.models import AuditEntry

from .personal_data import MANAGER, PEOPLE, admin_viewer, build, leaks

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build()


@pytest.fixture
def manager_a(client, world):
    user = admin_viewer("manager-a", MANAGER, world.a)
    client.force_login(user)
    return user


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_appointment_pages_are_masked_and_scoped(client, world, manager_a):
    mine, theirs = world.appointments["A"], world.appointments["B"]
    listing = _get(client, "/admin/appointments/appointment/")
    assert mine.code in listing and theirs.code not in listing
    page = _get(client, f"/admin/appointments/appointment/{mine.pk}/change/")
    assert leaks(page) == []
    assert "欧**娜" in page and "139****5678" in page
    assert f"{PEOPLE['A'].id_number[:6]}********{PEOPLE['A'].id_number[-4:]}" in page
    other = client.get(f"/admin/appointments/appointment/{theirs.pk}/change/")
    assert other.status_code == 302  # "does not exist", back to the index


def test_full_information_is_shown_on_request_and_audited(client, world, manager_a):
    mine, theirs = world.appointments["A"], world.appointments["B"]
    url = f"/admin/appointments/appointment/{mine.pk}/full/"
    assert leaks(_get(client, url)) == []  # a GET only offers the button
    assert not AuditEntry.objects.filter(action__endswith=".full_viewed").exists()
    response = client.post(url)
    assert response.status_code == 200
    assert leaks(response.content.decode()) == [
        PEOPLE["A"].name,
        PEOPLE["A"].phone,
        PEOPLE["A"].id_number,
    ]
    entry = AuditEntry.objects.get(action="govhall.appointments.appointment.full_viewed")
    assert (entry.actor_id, entry.object_id) == (manager_a.pk, str(mine.pk))
    assert entry.data == {"fields": ["name", "phone", "id_number"]}
    other = client.post(f"/admin/appointments/appointment/{theirs.pk}/full/")
    assert other.status_code == 404


def test_a_clerk_with_view_permission_sees_masked_but_not_full(client, world):
    from govhall.org.models import Role

    clerk = admin_viewer("clerk-a", Role.CLERK, world.a)
    client.force_login(clerk)
    mine = world.appointments["A"]
    assert leaks(_get(client, f"/admin/appointments/appointment/{mine.pk}/change/")) == []
    assert client.post(f"/admin/appointments/appointment/{mine.pk}/full/").status_code == 403


@pytest.mark.parametrize(
    ("url", "objects"),
    [
        ("/admin/notifications/outboxmessage/", "messages"),
        ("/admin/notifications/phonecalltask/", "call_tasks"),
    ],
)
def test_sms_and_call_task_pages_are_masked_and_scoped(client, world, manager_a, url, objects):
    mine, theirs = getattr(world, objects)["A"], getattr(world, objects)["B"]
    listing = _get(client, url)
    assert leaks(listing) == []
    assert f"/{mine.pk}/change/" in listing and f"/{theirs.pk}/change/" not in listing
    page = _get(client, f"{url}{mine.pk}/change/")
    assert leaks(page) == []
    assert "246810" not in page  # the verification code in the body and parameters
    assert client.get(f"{url}{theirs.pk}/change/").status_code == 302


def test_global_phone_lists_are_for_superusers_only(client, world, manager_a):
    from django.db import transaction

    from govhall.notifications.services import opt_out_add

    with transaction.atomic():
        opt_out_add(phone=PEOPLE["A"].phone, source="回复TD")
    response = client.get("/admin/notifications/smsoptout/")
    assert response.context["cl"].result_count == 0
    assert leaks(response.content.decode()) == []
