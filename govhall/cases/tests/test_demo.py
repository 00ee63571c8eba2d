from io import StringIO

import pytest
from django.core.management import call_command

from govhall.cases.models import Case, Status

pytestmark = pytest.mark.django_db


def test_demo_has_cases_in_every_state_across_departments_and_is_idempotent():
    call_command("load_demo", stdout=StringIO())
    states = set(Case.objects.values_list("status", flat=True))
    assert states == set(Status.values)
    assert Case.objects.values("department").distinct().count() >= 5
    count = Case.objects.count()
    call_command("load_demo", stdout=StringIO())
    assert Case.objects.count() == count
