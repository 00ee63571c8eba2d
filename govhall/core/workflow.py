"""The one workflow helper: a state change of a domain object, checked against its model's
transition table and recorded, in the caller's transaction.

A model takes part by declaring (docs/architecture.md, "How to add a domain app"):

- `TRANSITIONS: dict[str, set[str]]` — for each state, the states it may move to;
- a `status` field (choices) holding the state;
- an event model with a foreign key to it named `related_name="events"` and the fields
  `at`, `actor` (nullable user), `action`, `from_status`, `to_status`, `reason`
  (and any extra columns the caller fills through `event=`).

`transition()` then locks the row (`select_for_update`, the default) or moves it with a
conditional UPDATE on its current state (`lock=False`, for rows the caller has just read
and must not wait on), checks the table, writes the new state and the caller's other field
changes, the event row, the audit entry (`log_action`) and any outbox messages, and raises
the one `InvalidTransition` (409, code `invalid_transition`) when the move is not allowed
or the row changed under it. Nothing is committed here: the caller's
`transaction.atomic` decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

from govhall.core.audit import log_action, pending_entry
from govhall.core.errors import InvalidTransition
from govhall.core.models import AuditEntry

M = TypeVar("M", bound=models.Model)

STATE_FIELD = "status"


def resolve_now(now: dt.datetime | None) -> dt.datetime:
    """The service's clock: the `now` it was given (tests, jobs), else the current time."""
    return now or timezone.now()


def allowed(model: type[models.Model], source: str, target: str) -> bool:
    """Whether the model's transition table lets `source` move to `target`."""
    return target in model.TRANSITIONS.get(source, set())


def _actor_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _status_label(obj: models.Model) -> str:
    display = getattr(obj, f"get_{STATE_FIELD}_display", None)
    return display() if callable(display) else str(getattr(obj, STATE_FIELD))


def audit_action(obj: models.Model, verb: str) -> str:
    """The dotted audit action of a verb on an object: govhall.<app>.<model>.<verb>."""
    return f"govhall.{obj._meta.app_label}.{obj._meta.model_name}.{verb}"


class Records:
    """The event rows and audit entries of several changes in one transaction, written
    together by `flush()` — one INSERT per table (bulk_create) instead of one per row. For
    a service that makes two moves at once (the queue's 办结并叫下一位); pass it as
    `records=` to transition / record_event / record_audit, then flush before returning."""

    def __init__(self) -> None:
        self.events: list[models.Model] = []
        self.audits: list[AuditEntry] = []

    def flush(self) -> None:
        by_model: dict[type[models.Model], list[models.Model]] = {}
        for row in self.events:
            by_model.setdefault(type(row), []).append(row)
        for model, rows in by_model.items():
            model._default_manager.bulk_create(rows)
        if self.audits:
            AuditEntry.objects.bulk_create(self.audits)
        self.events, self.audits = [], []


def record_event(
    obj: models.Model,
    *,
    action: str,
    from_status: str,
    actor: Any,
    now: dt.datetime,
    reason: str = "",
    event: Mapping[str, Any] | None = None,
    records: Records | None = None,
) -> models.Model:
    """Write the object's event row (its model is the one behind `obj.events`): also for
    events that are not a move of an existing row (creation, a successor's first state).
    With `records`, the row is kept there for its flush."""
    event_model = obj.events.model
    max_reason = event_model._meta.get_field("reason").max_length
    row = event_model(
        **{obj.events.field.name: obj},
        at=now,
        actor=_actor_or_none(actor),
        action=action,
        from_status=from_status,
        to_status=getattr(obj, STATE_FIELD),
        reason=(reason or "")[:max_reason],
        **dict(event or {}),
    )
    if records is not None:
        records.events.append(row)
    else:
        row.save(force_insert=True)
    return row


def record_audit(
    obj: models.Model,
    *,
    verb: str,
    actor: Any,
    now: dt.datetime,
    data: Mapping[str, Any] | None = None,
    chain: str = "main",
    records: Records | None = None,
) -> None:
    """The audit entry of a change of `obj` (action govhall.<app>.<model>.<verb>); with
    `records`, kept there for its flush."""
    if records is None:
        log_action(
            actor=actor,
            action=audit_action(obj, verb),
            obj=obj,
            data=dict(data or {}),
            chain=chain,
            now=now,
        )
        return
    records.audits.append(
        pending_entry(
            actor=actor,
            action=audit_action(obj, verb),
            chain=chain,
            at=now,
            object_type=obj._meta.label_lower,
            object_id=obj.pk,
            data=dict(data or {}),
        )
    )


def record(
    obj: models.Model,
    *,
    action: str,
    from_status: str,
    actor: Any,
    now: dt.datetime,
    reason: str = "",
    event: Mapping[str, Any] | None = None,
    audit_verb: str | None = None,
    audit_data: Mapping[str, Any] | None = None,
    audit_chain: str = "main",
    records: Records | None = None,
) -> None:
    """The event row and the audit entry of a change of `obj`: a move (`transition` calls
    it) or a change that is not one of the table's moves (creation, a booking, a
    reminder). The audit data always holds from/to/reason, then the caller's `audit_data`.
    With `records`, both are kept there for its flush (one insert per table)."""
    record_event(
        obj,
        action=action,
        from_status=from_status,
        actor=actor,
        now=now,
        reason=reason,
        event=event,
        records=records,
    )
    record_audit(
        obj,
        verb=audit_verb or action,
        actor=actor,
        now=now,
        data={
            "from": from_status,
            "to": getattr(obj, STATE_FIELD),
            "reason": reason,
            **dict(audit_data or {}),
        },
        chain=audit_chain,
        records=records,
    )


def transition(
    obj: M,
    target: str,
    *,
    action: str,
    actor: Any,
    now: dt.datetime,
    reason: str = "",
    changes: Mapping[str, Any] | None = None,
    lock: bool = True,
    event: Mapping[str, Any] | Callable[[M], Mapping[str, Any]] | None = None,
    audit_verb: str | None = None,
    audit_data: Mapping[str, Any] | Callable[[M], Mapping[str, Any]] | None = None,
    audit_chain: str | Callable[[M], str] = "main",
    outbox: Iterable[Callable[[M], Any]] = (),
    refused: Callable[[M], str] | None = None,
    records: Records | None = None,
) -> M:
    """Move `obj` to `target` and record it; returns the row as written.

    `lock=True` re-reads the row with `select_for_update` (waits for a concurrent change,
    then judges the state it left); `lock=False` judges the state as the caller read it and
    writes with `UPDATE … WHERE pk = … AND status = <that state>`, so a concurrent change
    makes this one fail with InvalidTransition instead of waiting. `changes` are further
    fields written with the state. `event`, `audit_data` and `audit_chain` may be callables
    of the moved row (their values depend on it, e.g. the window it was called to).
    `outbox`: callables of the moved row run last, in the same transaction (the
    notifications outbox is written there, sent after commit by the worker). `refused`
    gives the Chinese message when the table does not allow the move. `records`: the
    event row and audit entry wait there for the caller's `records.flush()`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("workflow.transition must run inside the caller's transaction")
    model = type(obj)
    changes = dict(changes or {})
    if lock:
        obj = model._default_manager.select_for_update(of=("self",)).get(pk=obj.pk)
    source = getattr(obj, STATE_FIELD)
    if not allowed(model, source, target):
        message = (
            refused(obj)
            if refused is not None
            else f"{obj._meta.verbose_name}当前为“{_status_label(obj)}”，不能执行此操作。"
        )
        raise InvalidTransition(message)
    if lock:
        for name, value in {STATE_FIELD: target, **changes}.items():
            setattr(obj, name, value)
        obj.save(update_fields=[STATE_FIELD, *changes])
    else:
        moved = model._default_manager.filter(pk=obj.pk, **{STATE_FIELD: source}).update(
            **{STATE_FIELD: target}, **changes
        )
        if moved != 1:
            raise InvalidTransition(f"{obj}的状态刚被他人改变，请刷新后重试。")
        for name, value in {STATE_FIELD: target, **changes}.items():
            setattr(obj, name, value)
    record(
        obj,
        action=action,
        from_status=source,
        actor=actor,
        now=now,
        reason=reason,
        event=event(obj) if callable(event) else event,
        audit_verb=audit_verb,
        audit_data=audit_data(obj) if callable(audit_data) else audit_data,
        audit_chain=audit_chain(obj) if callable(audit_chain) else audit_chain,
        records=records,
    )
    for message in outbox:
        message(obj)
    return obj
