import datetime as dt
import itertools
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from govhall.core.audit import GENESIS, entry_hash, log_action, seal_pending, verify_chain
from govhall.core.models import AuditEntry, AuditHead

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 2, 13, 10, 0, tzinfo=SH)


def append(n: int, chain: str = "main", *, seal: bool = True) -> list[AuditEntry]:
    """n entries in one transaction, then sealed (as the worker does a second later);
    returns them as stored."""
    entries = []
    with transaction.atomic():
        for i in range(n):
            entries.append(
                log_action(
                    actor=None,
                    action="govhall.core.test.appended",
                    object_type="test",
                    object_id=i,
                    data={"i": i, "text": "买买提·艾力", "amount": "12.50"},
                    chain=chain,
                    now=NOW + dt.timedelta(seconds=i),
                )
            )
    if not seal:
        return entries
    seal_pending(chain)
    return [AuditEntry.objects.get(pk=e.pk) for e in entries]


@pytest.mark.django_db(transaction=True)
def test_log_action_outside_a_transaction_raises():
    with pytest.raises(RuntimeError):
        log_action(actor=None, action="govhall.core.test.bare", now=NOW)
    assert not AuditEntry.objects.filter(action="govhall.core.test.bare").exists()


@pytest.mark.django_db
def test_entries_are_written_pending_and_sealed_in_order_of_arrival():
    pending = append(3, chain="t0", seal=False)
    stored = list(AuditEntry.objects.filter(chain="t0").order_by("id"))
    assert [(e.seq, e.hash) for e in stored] == [(None, "")] * 3
    assert seal_pending("t0") == 3
    assert seal_pending("t0") == 0  # a second sealer finds nothing left
    stored = list(AuditEntry.objects.filter(chain="t0").order_by("id"))
    assert [e.pk for e in pending] == [e.pk for e in stored]
    assert [e.seq for e in stored] == [1, 2, 3]
    append(2, chain="t0")  # a later batch continues the chain
    assert list(
        AuditEntry.objects.filter(chain="t0").order_by("id").values_list("seq", flat=True)
    ) == [1, 2, 3, 4, 5]
    assert verify_chain("t0") == []


@pytest.mark.django_db
def test_an_entry_left_unsealed_past_the_grace_period_is_reported(settings):
    settings.AUDIT_SEAL_GRACE_SECONDS = 60
    entry = append(1, chain="t8", seal=False)[0]  # written at NOW, long ago
    problems = verify_chain("t8", seal=False)
    assert [(p.chain, p.entry_id) for p in problems] == [("t8", entry.pk)]
    assert "未封存" in problems[0].reason
    assert verify_chain("t8") == []  # sealing it clears the report


@pytest.mark.django_db
def test_rolled_back_entries_leave_nothing_to_seal():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        log_action(actor=None, action="govhall.core.test.rolled_back", chain="t9", now=NOW)
        1 / 0  # noqa: B018 - the change fails after its entry was written
    assert seal_pending("t9") == 0
    assert not AuditEntry.objects.filter(chain="t9").exists()


@pytest.mark.django_db
def test_chain_links_each_entry_to_the_previous():
    start = AuditHead.objects.filter(chain="t1").first()
    assert start is None
    entries = append(4, chain="t1")
    stored = list(AuditEntry.objects.filter(chain="t1").order_by("seq"))
    assert [e.seq for e in stored] == [1, 2, 3, 4]
    assert stored[0].prev_hash == GENESIS
    for prev, entry in itertools.pairwise(stored):
        assert entry.prev_hash == prev.hash
    for entry in stored:
        assert entry.hash == entry_hash(entry)  # recomputed from what the DB returned
    assert entries[-1].hash == AuditHead.objects.get(chain="t1").hash
    assert verify_chain("t1") == []
    call_command("verify_audit")


def test_the_hash_of_an_entry_is_the_one_chains_were_sealed_with():
    # Chains sealed by earlier releases must still verify: the canonical form (sorted
    # keys, UTC time, text not escaped) and its SHA-256 may not change. The value was
    # computed by the release before the sealer read values instead of instances.
    entry = AuditEntry(
        chain="queue:BENCH",
        seq=7,
        at=dt.datetime(2026, 2, 13, 10, 0, 5, 123456, tzinfo=SH),
        actor_id=3,
        actor_label="王小明",
        action="govhall.queueing.ticket.called",
        object_type="queueing.ticket",
        object_id="42",
        data={
            "number": "A001",
            "status": "called",
            "window": "3",
            "amount": "12.50",
            "z": [1, None, True],
        },
        prev_hash="ab" * 32,
    )
    assert entry_hash(entry) == "06f5d49d15ac2143913ba737c5fb2c7fbf2fc2f31584b687ba4c4f530b79081b"


@pytest.mark.django_db
def test_entries_cannot_be_changed_or_deleted_through_the_orm():
    entry = append(1, chain="t2")[0]
    entry.action = "govhall.core.test.forged"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


@pytest.mark.django_db
def test_verify_audit_names_an_altered_entry():
    entries = append(5, chain="t3")
    target = entries[2]
    AuditEntry.objects.filter(pk=target.pk).update(data={"i": 2, "text": "改过了"})
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit")
    message = str(exc.value)
    assert "链 t3 第 3 条" in message
    assert f"id={target.pk}" in message
    assert "被改动" in message


@pytest.mark.django_db
def test_altering_with_raw_sql_and_rehashing_is_still_caught_at_the_next_entry():
    entries = append(4, chain="t4")
    target = entries[1]
    forged = AuditEntry.objects.get(pk=target.pk)
    forged.actor_label = "某人"
    new_hash = entry_hash(forged)
    # Written straight to the table, as someone with database access would.
    AuditEntry.objects.filter(pk=target.pk).update(actor_label="某人", hash=new_hash)
    problems = verify_chain("t4")
    assert len(problems) == 1
    assert problems[0].seq == 3  # the next entry no longer points at it
    assert "前一条" in problems[0].reason


@pytest.mark.django_db
def test_deleting_a_middle_entry_is_detected():
    entries = append(5, chain="t5")
    AuditEntry.objects.filter(pk=entries[1].pk)._raw_delete(using="default")
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit", "--chain", "t5")
    assert "链 t5 第 2 条" in str(exc.value)
    assert "删除" in str(exc.value)


@pytest.mark.django_db
def test_deleting_the_last_entry_is_detected():
    entries = append(3, chain="t6")
    AuditEntry.objects.filter(pk=entries[-1].pk)._raw_delete(using="default")
    problems = verify_chain("t6")
    assert [(p.chain, p.seq) for p in problems] == [("t6", 3)]


@pytest.mark.django_db
def test_deleting_every_entry_of_a_chain_is_detected():
    append(2, chain="t7")
    AuditEntry.objects.filter(chain="t7")._raw_delete(using="default")
    assert [(p.chain, p.seq) for p in verify_chain()] == [("t7", 1)]


@pytest.mark.django_db
def test_chains_are_independent():
    append(2, chain="center-1")
    append(3, chain="center-2")
    assert AuditHead.objects.get(chain="center-1").seq == 2
    assert AuditHead.objects.get(chain="center-2").seq == 3
    entry = AuditEntry.objects.get(chain="center-1", seq=1)
    AuditEntry.objects.filter(pk=entry.pk).update(action="govhall.core.test.forged")
    assert [p.chain for p in verify_chain()] == ["center-1"]
    assert verify_chain("center-2") == []


@pytest.mark.django_db
def test_log_action_records_the_object_and_actor(django_user_model):
    user = django_user_model.objects.create_user(username="auditor", password="x")
    with transaction.atomic():
        entry = log_action(actor=user, action="govhall.core.test.user", obj=user, now=NOW)
    assert entry.actor_id == user.pk
    assert entry.object_type == "org.user"
    assert entry.object_id == str(user.pk)
    assert entry.at == NOW


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_and_sealers_make_a_gapless_chain():
    threads_n, per_thread = 6, 15
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads_n)

    def worker(k: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    log_action(
                        actor=None,
                        action="govhall.core.test.concurrent",
                        data={"thread": k, "i": i},
                        chain="busy",
                    )
                if i % 4 == k % 4:
                    seal_pending("busy")  # sealers race each other and the writers
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    seal_pending("busy")
    assert not AuditEntry.objects.filter(chain="busy", seq__isnull=True).exists()
    seqs = list(
        AuditEntry.objects.filter(chain="busy").order_by("seq").values_list("seq", flat=True)
    )
    assert seqs == list(range(1, threads_n * per_thread + 1))
    assert verify_chain("busy") == []


@pytest.mark.django_db
def test_a_long_backlog_is_sealed_in_short_batches(monkeypatch):
    """Each write transaction of the sealer links at most SEAL_BATCH entries (short, so
    SQLite's writers wait for it a moment only); one call still seals the whole backlog."""
    from govhall.core import audit

    monkeypatch.setattr(audit, "SEAL_BATCH", 7)
    append(30, chain="long", seal=False)
    assert seal_pending("long") == 30
    assert list(
        AuditEntry.objects.filter(chain="long").order_by("id").values_list("seq", flat=True)
    ) == list(range(1, 31))
    assert verify_chain("long") == []


@pytest.mark.django_db
def test_a_sealer_that_lost_the_head_reads_again_and_forks_nothing(monkeypatch):
    """Compare-and-set on the head: a sealer whose head moved meanwhile (another sealer
    linked a batch) writes nothing and starts over from the new head."""
    from govhall.core import audit

    monkeypatch.setattr(audit, "SEAL_BATCH", 3)
    append(5, chain="race", seal=False)
    real_head = audit._head
    raced = {"done": False}

    def head_then_race(chain):
        head = real_head(chain)  # read by this sealer…
        if not raced["done"]:
            raced["done"] = True
            assert audit._seal_batch(chain) == 3  # …then another sealer links a batch
        return head

    monkeypatch.setattr(audit, "_head", head_then_race)
    # This sealer's first batch (the last two entries, numbered from the stale head) is
    # refused; read again from the moved head, they become 4 and 5.
    assert seal_pending("race") == 2
    seqs = list(
        AuditEntry.objects.filter(chain="race").order_by("seq").values_list("seq", flat=True)
    )
    assert seqs == [1, 2, 3, 4, 5]
    assert verify_chain("race") == []


@pytest.mark.django_db
def test_append_pending_writes_several_entries_in_one_statement(django_user_model):
    from django.test.utils import CaptureQueriesContext

    from govhall.core.audit import append_pending

    user = django_user_model.objects.create_user(username="bulk", password="x")
    with transaction.atomic(), CaptureQueriesContext(connection) as log:
        append_pending(
            actor=user,
            chain="bulk",
            now=NOW,
            entries=[
                ("govhall.core.test.a", "test", 1, {"n": "甲"}),
                ("govhall.core.test.b", "test", 2, {"n": 2}),
            ],
        )
    assert sum('INSERT INTO "core_auditentry"' in q["sql"] for q in log.captured_queries) == 1
    assert seal_pending("bulk") == 2
    stored = list(AuditEntry.objects.filter(chain="bulk").order_by("seq"))
    assert [(e.action, e.object_id, e.data, e.actor_id, e.at) for e in stored] == [
        ("govhall.core.test.a", "1", {"n": "甲"}, user.pk, NOW),
        ("govhall.core.test.b", "2", {"n": 2}, user.pk, NOW),
    ]
    assert verify_chain("bulk") == []


@pytest.mark.django_db(transaction=True)
def test_append_pending_outside_a_transaction_raises():
    from govhall.core.audit import append_pending

    with pytest.raises(RuntimeError):
        append_pending(actor=None, chain="x", now=NOW, entries=[("a.b", "t", 1, {})])
