"""Real threads, real PostgreSQL transactions: gapless 代办 numbers under four proxies, and
of two deliveries of the same 代办 at once one wins, the other 409 with nothing
half-written."""

from __future__ import annotations

import pytest

from govhall.assistance import services
from govhall.assistance.models import ProxyCase
from govhall.cases.models import Case, CaseRelease
from govhall.cases.tests.test_concurrency import run
from govhall.core.errors import InvalidTransition
from govhall.org.testing import make_user

from .conftest import apply, sign, signature_png, take_in, to_output

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_four_proxies_get_unique_gapless_numbers(center, item, proxy):
    proxies = [proxy] + [make_user(f"proxy-{i}", ("proxy", center)) for i in range(3)]
    results = run(
        4, lambda i: [apply(center, item, proxies[i], i * 10 + k).number for k in range(3)]
    )
    assert all(isinstance(r, list) for r in results), results
    numbers = sorted(n for r in results for n in r)
    year = ProxyCase.objects.first().applied_at.year
    assert numbers == [f"DB-{center.code}-{year}-{s:05d}" for s in range(1, 13)]


def test_two_deliveries_at_once_one_wins_the_other_409(center, item, proxy, approver, output_clerk):
    p = take_in(sign(apply(center, item, proxy), proxy), proxy)
    to_output(p.case, approver, output_clerk)

    def deliver(i: int) -> str:
        return services.proxy_deliver(
            proxy_case=p, method="hand", signature_png=signature_png(i), id_checked=True,
            actor=proxy,
        ).status  # fmt: skip

    results = run(2, deliver)
    assert len(results) == 2 and "closed" in results, results
    assert any(isinstance(r, InvalidTransition) for r in results), results
    p = ProxyCase.objects.get(pk=p.pk)
    assert p.status == "closed" and Case.objects.get(pk=p.case_id).status == "closed"
    assert CaseRelease.objects.filter(case_id=p.case_id).count() == 1
    assert p.events.filter(action="delivered").count() == 1
