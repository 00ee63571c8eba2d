"""The demo loader builds a living example and is idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command

from govhall.evaluations.models import Appeal, Rating, Rectification, SurveyResponse

pytestmark = pytest.mark.django_db


def test_demo_has_a_rectification_in_each_state_and_is_idempotent():
    call_command("load_demo", stdout=StringIO())
    states = set(Rectification.objects.values_list("status", flat=True))
    assert states == {"verifying", "rectifying", "callback", "closing", "closed"}
    ratings = Rating.objects.count()
    assert ratings > 40
    assert Appeal.objects.filter(status="pending").count() == 1
    assert SurveyResponse.objects.count() == 4
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "好差评演示数据已存在" in out.getvalue()
    assert Rating.objects.count() == ratings
