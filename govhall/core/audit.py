"""Tamper-evident audit log.

`log_action` must be called inside the transaction of the change it records: the entry is
one INSERT, committed or rolled back with the change, and takes no lock, so audited
writes never wait for each other.

A sealer (`seal_pending`, run every second by `manage.py run_worker` and before every
verification) then links committed entries into their chain: in order of arrival it gives
each the next number of the chain and the SHA-256 of the previous entry, and moves the
chain's head row (which only sealers touch) with a compare-and-set. Altering or deleting a
sealed entry breaks every hash after it; `manage.py verify_audit` names the first broken
one, and an entry left unsealed longer than AUDIT_SEAL_GRACE_SECONDS (the worker is down)
is reported too.

Why not link at write time: the head row would then be locked by every audited write of
its chain until commit, serialising them (measured in bench/queue_load.py: the queue's
issuing and calling spent most of their time queued on it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from govhall.core.models import AuditEntry, AuditHead
from govhall.core.writer import writing

GENESIS = "0" * 64


# One encoder for every hash: json.dumps(cls=…) builds a new one per call.
_CANONICAL_JSON = DjangoJSONEncoder(sort_keys=True, ensure_ascii=False)


def _digest(
    chain: str,
    seq: int | None,
    at: dt.datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    data: Any,
    prev_hash: str,
) -> str:
    """The SHA-256 of an entry's canonical JSON (sorted keys, UTC time)."""
    payload = {
        "chain": chain,
        "seq": seq,
        "at": at.astimezone(dt.UTC).isoformat(),
        "actor": actor_id,
        "actor_label": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "data": data,
        "prev": prev_hash,
    }
    return hashlib.sha256(_CANONICAL_JSON.encode(payload).encode()).hexdigest()


def entry_hash(entry: AuditEntry) -> str:
    return _digest(
        entry.chain,
        entry.seq,
        entry.at,
        entry.actor_id,
        entry.actor_label,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.data,
        entry.prev_hash,
    )


def _head(chain: str) -> AuditHead:
    head = AuditHead.objects.filter(chain=chain).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            return AuditHead.objects.create(chain=chain)
    except IntegrityError:  # another sealer created it first
        return AuditHead.objects.get(chain=chain)


def actor_columns(actor: Any) -> tuple[int | None, str]:
    """(actor_id, actor_label) as entries store them."""
    if actor is None or getattr(actor, "is_anonymous", False):
        return None, ""
    return getattr(actor, "pk", None), str(actor)[:150]


def pending_entry(
    *,
    actor: Any,
    action: str,
    chain: str,
    at: dt.datetime,
    object_type: str,
    object_id: str | int,
    data: dict[str, Any] | None,
) -> AuditEntry:
    """An unsaved pending entry (no number, no hash: seal_pending gives them), for writers
    that save several at once (bulk_create, govhall.core.workflow.Records). Its data as
    it will read back from the database (dates as text), so the hash made from it later
    is the hash of what is stored."""
    actor_id, label = actor_columns(actor)
    return AuditEntry(
        chain=chain,
        seq=None,
        at=at,
        actor_id=actor_id,
        actor_label=label,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        data=json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, ensure_ascii=False)),
    )


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
    at = now or timezone.now()
    _check_transaction("log_action", at)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    entry = pending_entry(
        actor=actor,
        action=action,
        chain=chain,
        at=at,
        object_type=object_type,
        object_id=object_id,
        data=data,
    )
    entry.save(force_insert=True)
    return entry


def append_pending(
    *,
    actor: Any,
    chain: str,
    now: dt.datetime,
    entries: list[tuple[str, str, str | int, dict[str, Any]]],
) -> None:
    """Append several entries of one actor at one moment — (action, object_type,
    object_id, data) each — in one INSERT (bulk_create), inside the transaction of the
    change."""
    _check_transaction("append_pending", now)
    AuditEntry.objects.bulk_create(
        [
            pending_entry(
                actor=actor,
                action=action,
                chain=chain,
                at=now,
                object_type=object_type,
                object_id=object_id,
                data=data,
            )
            for action, object_type, object_id, data in entries
        ]
    )


def _check_transaction(writer: str, at: dt.datetime) -> None:
    """Refuses to write outside the transaction of the change or with a naive time."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{writer} must run inside the transaction of the change")
    if timezone.is_naive(at):
        raise ValueError(f"{writer} needs an aware datetime for now")


# Entries linked per write transaction. Small: on SQLite a write transaction holds the
# database's only write lock, and requests wait for it (bench/queue_load.py with the worker
# running: 2,000 per transaction put the queue's p99 at 420 ms).
SEAL_BATCH = 200


def seal_pending(chain: str | None = None, *, limit: int = 50_000) -> int:
    """Link committed pending entries into their chains; returns how many were sealed.

    Safe with several sealers at once: a batch is linked onto the head as it was read,
    and written only if the head is still that (compare-and-set in the write
    transaction); otherwise the batch is read again."""
    pending = AuditEntry.objects.filter(seq__isnull=True)
    if chain:
        pending = pending.filter(chain=chain)
    chains = sorted(set(pending.values_list("chain", flat=True).distinct()))
    sealed = 0
    for name in chains:
        while sealed < limit:
            done = _seal_batch(name)
            if done is None:
                continue  # another sealer moved the head first: read again
            sealed += done
            if done < SEAL_BATCH:
                break
    return sealed


# What the sealer reads of a pending entry to hash it: values, not model instances (an
# instance per entry cost more than its hash).
_SEALED_FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "data",
)


def _seal_batch(chain: str) -> int | None:
    """Seal the chain's next pending entries. The reading and hashing happen before the
    write transaction, which is one conditional head update and the entries' numbers and
    hashes, so writers wait for the sealer a millisecond or two at most. None: the head
    moved."""
    head = _head(chain)
    batch = list(
        AuditEntry.objects.filter(chain=chain, seq__isnull=True)
        .order_by("id")
        .values_list(*_SEALED_FIELDS)[:SEAL_BATCH]
    )
    if not batch:
        return 0
    seq, prev = head.seq, head.hash
    updates = []
    for pk, *fields in batch:
        seq += 1
        digest = _digest(chain, seq, *fields, prev)
        updates.append((seq, prev, digest, pk))
        prev = digest
    with writing(), transaction.atomic():
        moved = AuditHead.objects.filter(chain=chain, seq=head.seq, hash=head.hash).update(
            seq=seq, hash=prev
        )
        if moved != 1:
            return None
        sealed = AuditEntry.objects.filter(seq__isnull=True).bulk_update(
            [AuditEntry(pk=pk, seq=s, prev_hash=p, hash=h) for s, p, h, pk in updates],
            ["seq", "prev_hash", "hash"],
        )
        if sealed != len(batch):
            # Sealed meanwhile by a sealer that did not move the head: cannot happen
            # while every sealer goes through here; refuse rather than fork the chain.
            raise RuntimeError(f"audit chain {chain}: pending entries changed while sealing")
    return len(batch)


@dataclass(frozen=True)
class AuditProblem:
    chain: str
    seq: int
    entry_id: int | None
    reason: str


def verify_chain(chain: str | None = None, *, seal: bool = True) -> list[AuditProblem]:
    """Seal what is pending (unless seal=False), then walk each chain in order and report
    the first broken entry of each, and entries left unsealed past the grace period."""
    if seal:
        seal_pending(chain)
    if chain:
        chains = [chain]
    else:
        # Heads too: a chain whose every entry was deleted still has its head.
        chains = sorted(
            set(
                AuditEntry.objects.filter(seq__isnull=False)
                .values_list("chain", flat=True)
                .distinct()
            )
            | set(AuditHead.objects.values_list("chain", flat=True))
        )
    problems: list[AuditProblem] = []
    for name in chains:
        problem = _verify_one(name)
        if problem:
            problems.append(problem)
    problems.extend(_stale_pending(chain))
    return problems


def _stale_pending(chain: str | None) -> list[AuditProblem]:
    grace = getattr(settings, "AUDIT_SEAL_GRACE_SECONDS", 600)
    stale = AuditEntry.objects.filter(
        seq__isnull=True, at__lt=timezone.now() - dt.timedelta(seconds=grace)
    )
    if chain:
        stale = stale.filter(chain=chain)
    return [
        AuditProblem(e.chain, 0, e.pk, f"超过{grace}秒仍未封存（后台进程是否在运行？）")
        for e in stale.order_by("id")[:20]
    ]


def _verify_one(chain: str) -> AuditProblem | None:
    prev = GENESIS
    expected_seq = 1
    last = None
    sealed = AuditEntry.objects.filter(chain=chain, seq__isnull=False).order_by("seq")
    for entry in sealed.iterator(chunk_size=2000):
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
