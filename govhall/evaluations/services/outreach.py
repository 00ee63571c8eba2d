"""SMS invitations (9.4 e) and survey responses (9.4 d)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from govhall.cases import selectors as case_selectors
from govhall.consultations import selectors as consultation_selectors
from govhall.core.errors import Conflict, InvalidInput, NotFound
from govhall.evaluations import tokens
from govhall.evaluations.models import Invitation, QuestionKind, Rating, Survey, SurveyResponse
from govhall.evaluations.services._common import check_level, now_or, settings_for
from govhall.notifications.services import normalize_mobile, notification_send
from govhall.queueing import selectors_served as queue_selectors

# How far back the sweep looks for finished matters (a worker down for a day still invites).
LOOKBACK = dt.timedelta(days=2)
BATCH = 500


def _finished(now: dt.datetime):
    """(kind, id, center_id, phone, item name) of matters finished in the look-back window."""
    start = now - LOOKBACK
    for t in queue_selectors.tickets_finished_between(start, now):
        yield "ticket", t.pk, t.center_id, t.phone, t.category.name
    for c in case_selectors.cases_finished_between(start, now):
        # A case taken in by a 代办 is rated as that 代办 (6.6.2.2 c: its own invitation
        # when delivered): one matter, one invitation.
        if c.channel != "proxy":
            yield "case", c.pk, c.center_id, c.phone, c.item.name
    for q in consultation_selectors.consultations_answered_between(start, now):
        # A landline left for a consultation gets no SMS (it would become a call task).
        mobile = normalize_mobile(q.phone or "")
        yield (
            "consultation",
            q.pk,
            q.center_id,
            mobile or "",
            q.item.name if q.item else "政务服务咨询",
        )


def invitations_send(*, now: dt.datetime | None = None) -> int:
    """9.4 e) 短信评价: one invitation per finished ticket, released case or answered
    consultation, with its signed short link. Once per matter (the unique Invitation row
    decides, also between workers); quiet hours are kept by the outbox, which holds the
    message until they end."""
    now = now_or(now)
    sent = 0
    candidates = list(_finished(now))
    for start in range(0, len(candidates), BATCH):
        batch = candidates[start : start + BATCH]
        keys = [f"{kind}:{pk}" for kind, pk, *_ in batch]
        # Already invited or already rated: one query each per batch, not per matter.
        done = set(
            Invitation.objects.filter(matter_key__in=keys).values_list("matter_key", flat=True)
        )
        done |= set(Rating.objects.filter(matter_key__in=keys).values_list("matter_key", flat=True))
        for (kind, pk, center_id, phone, item), key in zip(batch, keys, strict=True):
            if phone and key not in done and _invite(kind, pk, key, center_id, phone, item, now):
                sent += 1
    return sent


def invitation_send(
    *, kind: str, matter_id: int, center_id: int, phone: str, item: str, now: dt.datetime
) -> bool:
    """9.4 e) for a matter finished outside the sweep's kinds (a 代办, 6.6.2.2 c): the same
    one-per-matter invitation with its signed link; False when already invited or rated."""
    key = f"{kind}:{matter_id}"
    if not phone or Rating.objects.filter(matter_key=key).exists():
        return False
    return _invite(kind, matter_id, key, center_id, phone, item, now)


def _invite(
    kind: str, pk: int, key: str, center_id: int, phone: str, item: str, now: dt.datetime
) -> bool:
    days = settings_for(center_id).link_days
    try:
        with transaction.atomic():
            Invitation.objects.create(matter_key=key, center_id=center_id, at=now)
            notification_send(
                template="evaluation_invite",
                to=phone,
                params={"item": item, "link": tokens.rating_url(kind, pk, now=now, days=days)},
                center=center_id,
                now=now,
            )
    except IntegrityError:
        return False  # another worker invited it meanwhile
    return True


def _answer(question: Any, raw: Any) -> Any:
    field = f"answers.{question.pk}"
    empty = raw in (None, "", [])
    if empty:
        if question.required:
            raise InvalidInput(f"请回答：{question.text}", field=field)
        return None
    if question.kind == QuestionKind.SINGLE:
        if raw not in question.options:
            raise InvalidInput(f"“{question.text}”的选项无效。", field=field)
        return raw
    if question.kind == QuestionKind.MULTIPLE:
        values = raw if isinstance(raw, list) else [raw]
        if any(v not in question.options for v in values):
            raise InvalidInput(f"“{question.text}”的选项无效。", field=field)
        return list(dict.fromkeys(values))
    if question.kind == QuestionKind.SCALE:
        return check_level(raw, field)
    text = str(raw).strip()
    if len(text) > 1000:
        raise InvalidInput("回答不能超过1000个字。", field=field)
    return text


@transaction.atomic
def survey_respond(
    *, survey: Survey, answers: dict[str, Any], now: dt.datetime | None = None
) -> SurveyResponse:
    """9.4 d) 调查问卷: one anonymous response, every answer checked against its question."""
    now = now_or(now)
    if not survey.is_open:
        raise Conflict("该问卷已结束。", code="survey_closed")
    clean = {}
    for question in survey.questions.order_by("position", "id"):
        value = _answer(question, answers.get(str(question.pk)))
        if value is not None:
            clean[str(question.pk)] = value
    return SurveyResponse.objects.create(survey=survey, answers=clean, at=now)


def survey_by_token(token: str) -> Survey:
    survey = Survey.objects.filter(token=token or "").first()
    if survey is None:
        raise NotFound("问卷不存在。")
    return survey
