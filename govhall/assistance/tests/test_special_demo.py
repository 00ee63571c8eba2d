"""The demo of special-group services, emergency help and extended hours: loads, and a
second load changes nothing."""

from __future__ import annotations

import io

import pytest

from govhall.assistance import demo_special
from govhall.assistance.models import (
    Aid,
    Drill,
    EmergencyEquipment,
    EmergencyIncident,
    SpecialRequest,
)
from govhall.org import demo as org_demo
from govhall.org.models import ExtendedService

pytestmark = pytest.mark.django_db


def counts():
    return [
        m.objects.count()
        for m in (
            Aid,
            Drill,
            EmergencyEquipment,
            EmergencyIncident,
            SpecialRequest,
            ExtendedService,
        )
    ]


def test_demo_loads_once(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org_demo.load(io.StringIO())
    out = io.StringIO()
    demo_special.load(out)
    assert "应急演练 1 次" in out.getvalue()
    first = counts()
    assert first == [6, 1, 3, 2, 2, 2]
    assert SpecialRequest.objects.filter(status="scheduled").count() == 1
    assert EmergencyIncident.objects.filter(status="open").count() == 1
    org_demo.load(io.StringIO())
    out = io.StringIO()
    demo_special.load(out)
    assert counts() == first and "未做改动" in out.getvalue()
