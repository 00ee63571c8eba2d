"""Fixtures for the 帮办/代办 tests: the cases fixtures (a center, departments, a published
item, a clerk, an approver), a proxy, an output clerk, another center with its own proxy,
and helpers that bring a 代办 to each state through the services."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from PIL import Image, ImageDraw

from govhall.assistance import services as proxy_services
from govhall.assistance.services import MaterialLine
from govhall.cases.models import Case
from govhall.cases.services import approval, case_decide, output
from govhall.cases.tests.conftest import *  # noqa: F403  (center, department, item, approver…)
from govhall.cases.tests.conftest import _plain_http, complete, person_id  # noqa: F401
from govhall.catalog.testing import make_item
from govhall.core.testing import at  # noqa: F401
from govhall.org.testing import make_center, make_department, make_user

PROXY_ID = person_id(77)


def signature_png(seed: int = 0) -> bytes:
    image = Image.new("RGBA", (400, 150), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = [(20, 100), (80, 40 + seed), (140, 110), (220, 30), (300, 120), (380, 60)]
    draw.line(points, "black", 6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def proxy(center):
    return make_user("proxy-t", ("proxy", center), display_name="陈代办", phone="13900000011")


@pytest.fixture
def output_clerk(center):
    return make_user("output-t", ("output_clerk", center), display_name="周出件")


@pytest.fixture
def manager(center):
    return make_user("manager-t", ("manager", center), display_name="钱主任")


@pytest.fixture
def fee_item(center, department):
    return make_item(
        center,
        department,
        "SCJG-FEE",
        "特种设备检验",
        fee_required=True,
        fee_amount=Decimal("120.00"),
        fee_basis="检验收费标准",
        materials=[{"name": "检验申请书", "position": 1}],
    )


@pytest.fixture
def other_center(db):
    return make_center("HL-C09", "白桦测试县政务服务中心", short_name="白桦县政务")


@pytest.fixture
def other_proxy(other_center):
    make_department(other_center, "BHJ", "白桦县市场监督管理局")
    return make_user("proxy-o", ("proxy", other_center), display_name="外中心代办")


def apply(center, item, actor, n=1, *, now=None, **extra):
    values = dict(
        center=center,
        item=item,
        applicant_name="张三丰",
        id_type="resident_id",
        id_number=person_id(n),
        phone=f"1380000{n:04d}",
        materials=[MaterialLine("营业执照", 1, True), MaterialLine("经营场所平面图", 2)],
        actor=actor,
        now=now,
    )
    values.update(extra)
    return proxy_services.proxy_apply(**values)


def sign(p, actor, *, now=None):
    return proxy_services.proxy_sign(
        proxy_case=p,
        applicant_signature=signature_png(0),
        proxy_signature=signature_png(20),
        proxy_id_number=PROXY_ID,
        actor=actor,
        now=now,
    )


def take_in(p, actor, *, now=None):
    return proxy_services.proxy_take_in(
        proxy_case=p, materials=complete(p.item), actor=actor, now=now
    ).proxy_case


def to_output(case: Case, approver, output_clerk, *, now=None) -> Case:
    """The department accepts and approves, hands the result over; the output window signs."""
    case, _ = case_decide(case=case, decision="accept", actor=approver, now=now)
    Case.objects.filter(pk=case.pk).update(paper_handed_over_at=case.received_at)
    case = Case.objects.get(pk=case.pk)
    case, _ = approval.case_approval_decide(
        case=case, outcome="approved", result_no="JY23010200009", actor=approver, now=now
    )
    case = output.case_result_handover(case=case, actor=approver, now=now)
    return output.case_result_receive(case=case, ok=True, actor=output_clerk, now=now)
