"""Fixtures for case tests: a center, two departments, a published item with materials,
a clerk, approvers, and helpers to take a complete case in."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from govhall.cases import services
from govhall.cases.services import ApplicantIn, MaterialIn
from govhall.catalog.testing import make_item
from govhall.core.testing import at  # noqa: F401  (tests import it from here)
from govhall.core.validators import id_card_check_char
from govhall.notifications.models import OutboxMessage
from govhall.org.testing import make_center, make_department, make_user, make_window

BASIS = "《中华人民共和国食品安全法》第三十五条"


def person_id(n: int) -> str:
    first17 = f"2301021990{(n % 12) + 1:02d}{(n % 28) + 1:02d}{n % 1000:03d}"
    return first17 + id_card_check_char(first17)


def applicant(n: int = 1, **extra) -> ApplicantIn:
    values = dict(
        kind="person",
        name="张三丰",
        id_type="resident_id",
        id_number=person_id(n),
        phone=f"1380000{n:04d}",
    )
    values.update(extra)
    return ApplicantIn(**values)


def complete(item) -> list[MaterialIn]:
    """Every material of the item's guide, provided in legal form."""
    lines = []
    for m in item.published.materials.order_by("position", "id"):
        lines.append(
            MaterialIn(material_id=m.pk, provided=True, copies=m.copies, original_checked=True)
        )
    return lines


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def intake(center, item, clerk, n=1, *, now, materials=None, **extra):
    return services.case_intake(
        center=center,
        item=item,
        channel=extra.pop("channel", "window"),
        applicant=extra.pop("applicant", None) or applicant(n),
        materials=complete(item) if materials is None else materials,
        actor=clerk,
        now=now,
        **extra,
    )


@pytest.fixture
def center(db):
    return make_center("HL-C01", "青松测试县政务服务中心", short_name="青松县政务")


@pytest.fixture
def department(center):
    return make_department(center, "SCJG", "青松县市场监督管理局", short_name="青市监")


@pytest.fixture
def other_department(center):
    return make_department(center, "GAJ", "青松县公安局", short_name="青公")


@pytest.fixture
def item(center, department):
    return make_item(
        center,
        department,
        "SCJG-FOOD",
        "食品经营许可",
        basis=BASIS,
        acceptance_limit_days=5,
        promised_limit_days=10,
        correction_limit_days=5,
        materials=[
            {"name": "食品经营许可申请书", "position": 1},
            {"name": "营业执照", "position": 2, "original_required": True},
            {"name": "经营场所平面图", "position": 3, "copies": 2},
            {"name": "委托书", "position": 4, "required": False},
        ],
    )


@pytest.fixture
def other_item(center, other_department):
    return make_item(
        center,
        other_department,
        "GAJ-HUKOU",
        "户口迁移",
        materials=[{"name": "户口簿", "position": 1}],
    )


@pytest.fixture
def window(center):
    return make_window(center, "3")


@pytest.fixture
def clerk(center, window):
    return make_user("clerk-t", ("clerk", center), display_name="王窗口", home_window=window)


@pytest.fixture
def approver(center, department):
    return make_user("approver-t", ("approver", center, department), display_name="李审批")


@pytest.fixture
def other_approver(center, other_department):
    return make_user("approver-o", ("approver", center, other_department), display_name="赵公安")


@pytest.fixture
def outbox():
    def messages(template=None):
        qs = OutboxMessage.objects.order_by("id")
        if template:
            qs = qs.filter(template=template)
        return list(qs)

    return messages


@pytest.fixture(autouse=True)
def _plain_http(settings, tmp_path):
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.MEDIA_ROOT = str(tmp_path / "media")
