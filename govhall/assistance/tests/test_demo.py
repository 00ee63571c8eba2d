from io import StringIO

import pytest
from django.core.management import call_command

from govhall.assistance.models import HelpRecord, ProxyCase

pytestmark = pytest.mark.django_db


def test_demo_has_help_records_and_proxies_in_several_states_and_is_idempotent():
    out = StringIO()
    call_command("load_demo", stdout=out)
    states = set(ProxyCase.objects.values_list("status", flat=True))
    assert {"applied", "authorised", "chasing", "terminated", "closed"} <= states, out.getvalue()
    assert HelpRecord.objects.count() == 4
    assert ProxyCase.objects.filter(filed_at__isnull=False).count() == 1
    count = ProxyCase.objects.count()
    call_command("load_demo", stdout=StringIO())
    assert ProxyCase.objects.count() == count and HelpRecord.objects.count() == 4
