"""代办 through the services: application → 委托书 → case taken in → chase → delivery →
evaluation invitation (6.6.2.2 a, c), termination with the materials returned (b), filing
(d); the proxy never records the fee; wrong states are 409, bad input names the field."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from govhall.assistance import selectors, services
from govhall.assistance.models import ProxyCase, ProxyEvent, ProxyNote
from govhall.cases.models import Case, CaseRelease, Channel, FeePayment
from govhall.cases.models import Status as CaseStatus
from govhall.cases.services import case_decide, fees
from govhall.core.errors import Conflict, Forbidden, InvalidInput, InvalidTransition, NotFound
from govhall.core.models import AuditEntry
from govhall.core.testing import pdf_text
from govhall.evaluations import tokens
from govhall.evaluations.models import Invitation
from govhall.evaluations.services import rating_submit
from govhall.evaluations.services.outreach import invitations_send
from govhall.org.testing import make_user

from .conftest import apply, sign, signature_png, take_in, to_output

pytestmark = pytest.mark.django_db


def _signatures(reader: PdfReader) -> list:
    """The signature images of a PDF (the pad's 400×150 PNGs; the QR code is square)."""
    return [i for page in reader.pages for i in page.images if i.image.size == (400, 150)]


def _bytes(document) -> bytes:
    with document.file.open("rb") as f:
        return f.read()


def _text(document) -> str:
    return "".join(pdf_text(_bytes(document)).split())


def test_proxy_from_application_to_delivery_and_evaluation_invitation(
    center, item, proxy, approver, output_clerk, department, outbox
):
    p = apply(center, item, proxy)
    assert p.status == "applied" and p.number.startswith(f"DB-{center.code}-")
    p = sign(p, proxy)
    assert p.status == "authorised" and p.authorization is not None
    reader = PdfReader(io.BytesIO(_bytes(p.authorization)))
    assert len(_signatures(reader)) == 2  # the applicant's and the proxy's
    text = _text(p.authorization)
    assert "代办委托书" in text and p.applicant_signature_sha256 in text
    assert "张*丰" in text and "张三丰" not in text

    p = take_in(p, proxy)
    case = p.case
    assert p.status == "taken_in" and case.channel == Channel.PROXY
    assert case.clerk_id == proxy.pk and p.authorization.number in case.agent_authorization
    assert "代办员陈代办" in case.agent_name

    note = services.proxy_note_add(
        proxy_case=p,
        kind="chase",
        department=department,
        method="phone",
        contact="李科长",
        content="催办审批进度",
        answer="本周内作出决定",
        actor=proxy,
    )
    assert note.answer == "本周内作出决定"
    p = ProxyCase.objects.get(pk=p.pk)
    assert p.status == "chasing"
    services.proxy_note_add(
        proxy_case=p, kind="chase", department=department, content="再次催办", answer="已签批",
        actor=proxy,
    )  # fmt: skip
    assert ProxyNote.objects.filter(proxy_case=p, kind="chase").count() == 2

    to_output(case, approver, output_clerk)
    p = services.proxy_deliver(
        proxy_case=p, method="hand", signature_png=signature_png(5), id_checked=True, actor=proxy
    )
    assert p.status == "closed" and p.delivery_method == "hand" and p.invited_at
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
    release = CaseRelease.objects.get(case=case)
    assert release.signer_name == "张三丰" and release.released_by_id == proxy.pk
    assert Invitation.objects.filter(matter_key=f"proxy:{p.pk}").count() == 1
    # The case was released through the 代办: the sweep does not invite for it a second time.
    assert invitations_send() == 0
    sms = outbox("evaluation_invite")
    assert [m.to for m in sms] == [p.phone] and "代办" in str(sms[0].params)
    actions = list(ProxyEvent.objects.filter(proxy_case=p).values_list("action", flat=True))
    assert actions == [
        "applied", "authorised", "taken_in", "chased", "chased", "delivered", "closed",
    ]  # fmt: skip
    assert AuditEntry.objects.filter(action="govhall.assistance.proxycase.closed").exists()

    # The applicant rates the 代办 through the link of the invitation.
    token = sms[0].params["link"].rstrip("/").rsplit("/", 1)[1]
    kind, matter_id = tokens.read_token(token, now=p.closed_at)
    rating = rating_submit(kind=kind, matter_id=matter_id, channel="sms", level=5)
    assert rating.matter_key == f"proxy:{p.pk}" and rating.staff_id == proxy.pk

    # Filed for the archive: the register sheet lists every document with its SHA-256.
    p = services.proxy_file(proxy_case=p, actor=proxy)
    text = _text(p.register_document)
    assert p.authorization.sha256 in text and "代办服务登记表" in text
    with pytest.raises(Conflict):
        services.proxy_file(proxy_case=p, actor=proxy)  # already filed → 409


def test_mail_delivery(center, item, proxy, approver, output_clerk):
    applied = apply(
        center, item, proxy, delivery="mail", delivery_address="黑龙江省哈尔滨市道里区1号"
    )
    p = take_in(sign(applied, proxy), proxy)
    assert p.case.delivery == "mail"
    to_output(p.case, approver, output_clerk)
    with pytest.raises(InvalidInput) as err:
        services.proxy_deliver(proxy_case=p, method="mail", carrier="EMS", actor=proxy)
    assert err.value.errors[0]["field"] == "tracking_no"
    p = services.proxy_deliver(
        proxy_case=p, method="mail", carrier="EMS", tracking_no="EA123", actor=proxy
    )
    assert p.status == "closed" and Case.objects.get(pk=p.case_id).status == CaseStatus.MAILED


def test_termination_by_withdrawal_returns_materials_and_withdraws_case(center, item, proxy):
    p = take_in(sign(apply(center, item, proxy), proxy), proxy)
    with pytest.raises(InvalidInput) as err:
        services.proxy_terminate(
            proxy_case=p, kind="withdrawn", reason="", returned=[], signature_png=None, actor=proxy
        )
    assert {e["field"] for e in err.value.errors} == {"reason", "returned"}
    p = services.proxy_terminate(
        proxy_case=p,
        kind="withdrawn",
        reason="申请人决定暂不办理",
        returned=["营业执照原件", "经营场所平面图2份"],
        signature_png=signature_png(9),
        actor=proxy,
    )
    assert p.status == "terminated" and p.returned_materials[0] == "营业执照原件"
    assert Case.objects.get(pk=p.case_id).status == CaseStatus.WITHDRAWN
    reader = PdfReader(io.BytesIO(_bytes(p.return_document)))
    assert len(_signatures(reader)) == 1
    text = _text(p.return_document)
    assert "营业执照原件" in text and p.return_signature_sha256 in text
    with pytest.raises(InvalidTransition):
        services.proxy_note_add(proxy_case=p, kind="note", content="x", actor=proxy)


def test_termination_when_not_completable_waits_for_the_departments_refusal(
    center, item, proxy, approver
):
    p = take_in(sign(apply(center, item, proxy), proxy), proxy)
    args = dict(
        kind="not_completable",
        reason="经营场所不符合要求",
        returned=["营业执照原件"],
        signature_png=signature_png(3),
        actor=proxy,
    )
    with pytest.raises(InvalidTransition, match="不予受理或不予许可"):
        services.proxy_terminate(proxy_case=p, **args)
    assert ProxyCase.objects.get(pk=p.pk).status == "taken_in"  # nothing half-written
    case_decide(
        case=p.case, decision="reject", reason="经营场所不符合要求", basis="第三十五条",
        actor=approver,
    )  # fmt: skip
    p = services.proxy_terminate(proxy_case=ProxyCase.objects.get(pk=p.pk), **args)
    assert p.status == "terminated" and Case.objects.get(pk=p.case_id).status == "rejected"


def test_terminate_before_intake_and_wrong_states(center, item, proxy):
    p = apply(center, item, proxy)
    with pytest.raises(InvalidTransition):
        services.proxy_take_in(proxy_case=p, materials=[], actor=proxy)  # not yet signed
    with pytest.raises(InvalidTransition):
        services.proxy_deliver(proxy_case=p, method="hand", actor=proxy)
    with pytest.raises(InvalidTransition):
        services.proxy_note_add(
            proxy_case=p, kind="chase", content="x", answer="y", department=item.department,
            actor=proxy,
        )  # fmt: skip
    p = services.proxy_terminate(
        proxy_case=p, kind="withdrawn", reason="不再需要", returned=["营业执照"],
        signature_png=signature_png(), actor=proxy,
    )  # fmt: skip
    assert p.case_id is None and p.status == "terminated"
    with pytest.raises(InvalidTransition):
        sign(p, proxy)
    with pytest.raises(InvalidTransition):
        services.proxy_terminate(
            proxy_case=p, kind="withdrawn", reason="x", returned=["a"],
            signature_png=signature_png(), actor=proxy,
        )  # fmt: skip


def test_incomplete_materials_issue_the_one_time_list_and_stay_authorised(center, item, proxy):
    p = sign(apply(center, item, proxy), proxy)
    result = services.proxy_take_in(proxy_case=p, materials=[], actor=proxy)
    assert result.missing and result.proxy_case.status == "authorised"
    assert result.document.kind == "one_time_notice"
    assert ProxyEvent.objects.filter(proxy_case=p, action="intake_incomplete").exists()


def test_bad_application_names_the_fields(center, item, proxy):
    with pytest.raises(InvalidInput) as err:
        apply(center, item, proxy, id_number="230102199001010001", phone="123", materials=[])
    fields = {e["field"] for e in err.value.errors}
    assert {"applicant.id_number", "applicant.phone", "materials"} <= fields
    with pytest.raises(InvalidInput) as err:
        apply(center, item, proxy, delivery="mail")
    assert err.value.errors[0]["field"] == "delivery_address"
    p = apply(center, item, proxy)
    with pytest.raises(InvalidInput) as err:
        services.proxy_sign(
            proxy_case=p, applicant_signature=b"GIF89a", proxy_signature=signature_png(),
            proxy_id_number="1", actor=proxy,
        )  # fmt: skip
    assert err.value.errors[0]["field"] == "applicant_signature_png_base64"
    with pytest.raises(InvalidInput) as err:
        services.proxy_sign(
            proxy_case=p, applicant_signature=signature_png(), proxy_signature=signature_png(),
            proxy_id_number="230102199001010001", actor=proxy,
        )  # fmt: skip
    assert err.value.errors[0]["field"] == "proxy_id_number"


def test_proxy_is_never_recorded_as_payer(center, fee_item, proxy, approver, output_clerk):
    """6.6.2.2 a: the fee is shown to the applicant; the proxy who handles the 代办 cannot
    record its payment, even holding a window role; the window records the applicant's."""
    make_user("proxy-t", ("clerk", center))  # the proxy also works a window
    p = take_in(sign(apply(center, fee_item, proxy), proxy), proxy)
    with pytest.raises(Exception, match="没有待缴"):
        services.proxy_fee_guide(proxy_case=p, actor=proxy)  # no order before approval
    to_output(p.case, approver, output_clerk)
    order = selectors.proxy_fee(p)
    assert order is not None and order.status == "unpaid"
    services.proxy_fee_guide(proxy_case=p, actor=proxy)
    assert ProxyEvent.objects.filter(proxy_case=p, action="fee_guided").exists()
    with pytest.raises(Forbidden, match="自行缴纳"):
        fees.fee_pay_cash(order=order, receipt_no="R001", actor=proxy)
    assert not FeePayment.objects.exists()
    with pytest.raises(InvalidTransition, match="尚未缴费"):  # not released unpaid
        services.proxy_deliver(
            proxy_case=p, method="hand", signature_png=signature_png(), id_checked=True,
            actor=proxy,
        )  # fmt: skip
    fees.fee_pay_cash(order=order, receipt_no="R001", actor=output_clerk)
    assert FeePayment.objects.get().recorded_by_id == output_clerk.pk
    p = services.proxy_deliver(
        proxy_case=p, method="hand", signature_png=signature_png(), id_checked=True, actor=proxy
    )
    assert p.status == "closed"


def test_other_center_is_404_and_other_roles_403(center, item, proxy, other_proxy, clerk):
    p = apply(center, item, proxy)
    with pytest.raises(NotFound):
        sign(p, other_proxy)
    with pytest.raises(NotFound):
        services.proxy_terminate(
            proxy_case=p, kind="withdrawn", reason="x", returned=["a"],
            signature_png=signature_png(), actor=other_proxy,
        )  # fmt: skip
    with pytest.raises(NotFound):
        apply(center, item, other_proxy)
    with pytest.raises(Forbidden):
        apply(center, item, clerk)  # a window clerk of the center: not a proxy
    with pytest.raises(NotFound):
        selectors.proxy_for(other_proxy, p.number)
    assert selectors.proxy_for(proxy, p.number) == p


def test_only_the_proxy_who_took_a_proxy_case_in_may_release_it(
    center, item, proxy, clerk, approver, output_clerk
):
    """cases.services.flow.require_release: a proxy releases their own 代办 case, not a
    window case nor another proxy's."""
    from govhall.cases.services import output
    from govhall.cases.tests.conftest import intake

    window_case = intake(center, item, clerk, 3, now=None).case
    window_case = to_output(window_case, approver, output_clerk)
    with pytest.raises(Forbidden):
        output.case_pickup(
            case=window_case, signature_png=signature_png(), id_checked=True, actor=proxy
        )
    p = take_in(sign(apply(center, item, proxy), proxy), proxy)
    to_output(p.case, approver, output_clerk)
    colleague = make_user("proxy-2", ("proxy", center))
    with pytest.raises(Forbidden):
        output.case_mail(
            case=p.case, carrier="EMS", tracking_no="E1", address="地址", actor=colleague
        )
    with pytest.raises(Forbidden):
        services.proxy_deliver(
            proxy_case=p, method="hand", signature_png=signature_png(), id_checked=True,
            actor=colleague,
        )  # fmt: skip
    assert Case.objects.get(pk=p.case_id).status == CaseStatus.OUTPUT_RECEIVED
