"""Tamper-evident audit log.

`log_action` must be called inside the transaction of the change it records. Entries of a
chain are numbered and each carries the SHA-256 of the previous one; the chain head row is
locked (SELECT … FOR UPDATE) while appending, which serialises audited writes of one
chain. Chains can be split (e.g. one per center) where that lock becomes the bottleneck.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from govhall.core.models import AuditEntry, AuditHead

GENESIS = "0" * 64


def _canonical(entry: AuditEntry) -> bytes:
    payload = {
        "chain": entry.chain,
        "seq": entry.seq,
        "at": entry.at.astimezone(dt.UTC).isoformat(),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "data": entry.data,
        "prev": entry.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder).encode()


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def _normalise(data: dict[str, Any] | None) -> dict[str, Any]:
    # Round-trip through JSON so the stored value hashes the same when read back.
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, ensure_ascii=False))


def _lock_head(chain: str) -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(chain=chain).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            AuditHead.objects.create(chain=chain)
    except IntegrityError:
        pass  # another transaction created it first
    return AuditHead.objects.select_for_update().get(chain=chain)


def log_action(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    data: dict[str, Any] | None = None,
    chain: str = "main",
    now: dt.datetime | None = None,
) -> AuditEntry:
    """Append one entry. `action` is dotted: govhall.<app>.<entity>.<verb>."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("log_action must run inside the transaction of the change")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    user = (
        actor if getattr(actor, "pk", None) and not getattr(actor, "is_anonymous", False) else None
    )
    label = str(actor) if actor is not None and not getattr(actor, "is_anonymous", False) else ""
    head = _lock_head(chain)
    at = now or timezone.now()
    if timezone.is_naive(at):
        raise ValueError("log_action needs an aware datetime for now")
    entry = AuditEntry(
        chain=chain,
        seq=head.seq + 1,
        at=at,
        actor=user,
        actor_label=label[:150],
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        data=_normalise(data),
        prev_hash=head.hash,
    )
    entry.hash = entry_hash(entry)
    entry.save()
    AuditHead.objects.filter(chain=chain).update(seq=entry.seq, hash=entry.hash)
    return entry


@dataclass(frozen=True)
class AuditProblem:
    chain: str
    seq: int
    entry_id: int | None
    reason: str


def verify_chain(chain: str | None = None) -> list[AuditProblem]:
    """Walk each chain in order; report the first broken entry of each."""
    if chain:
        chains = [chain]
    else:
        # Heads too: a chain whose every entry was deleted still has its head.
        chains = sorted(
            set(AuditEntry.objects.values_list("chain", flat=True).distinct())
            | set(AuditHead.objects.values_list("chain", flat=True))
        )
    problems: list[AuditProblem] = []
    for name in chains:
        problem = _verify_one(name)
        if problem:
            problems.append(problem)
    return problems


def _verify_one(chain: str) -> AuditProblem | None:
    prev = GENESIS
    expected_seq = 1
    last = None
    for entry in AuditEntry.objects.filter(chain=chain).order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return AuditProblem(chain, expected_seq, None, f"缺少第 {expected_seq} 条（已被删除）")
        if entry.prev_hash != prev:
            return AuditProblem(
                chain, entry.seq, entry.pk, "前一条的哈希不符（前一条被改动或删除）"
            )
        if entry_hash(entry) != entry.hash:
            return AuditProblem(chain, entry.seq, entry.pk, "内容与哈希不符（此条被改动）")
        prev = entry.hash
        expected_seq += 1
        last = entry
    head = AuditHead.objects.filter(chain=chain).first()
    if head and head.seq != (last.seq if last else 0):
        return AuditProblem(chain, (last.seq if last else 0) + 1, None, "链尾条目缺失（已被删除）")
    return None
