"""`manage.py load_demo` (core): every installed app's demo, in dependency order, idempotent."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core.management import call_command

from govhall.core.discovery import app_modules


@pytest.mark.django_db
def test_each_apps_demo_runs_once_in_installed_apps_order(monkeypatch):
    ran: list[str] = []
    for module in app_modules("demo"):
        monkeypatch.setattr(module, "load", lambda stdout, name=module.__name__: ran.append(name))
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    installed = [f"{config.name}.demo" for config in apps.get_app_configs()]
    assert ran == [name for name in installed if name in ran]
    assert len(ran) == len(set(ran))
    # The dependency order of the apps that have demo data (org's center first).
    expected = [
        "govhall.org.demo",
        "govhall.catalog.demo",
        "govhall.queueing.demo",
        "govhall.appointments.demo",
        "govhall.cases.demo",
    ]
    assert [name for name in ran if name in expected] == expected
    assert "演示数据已就绪" in out.getvalue()


@pytest.mark.django_db
def test_load_demo_twice_adds_no_row_to_any_app():
    call_command("load_demo", stdout=io.StringIO())
    models = [
        model
        for config in apps.get_app_configs()
        if config.name.startswith("govhall.")
        for model in config.get_models()
    ]
    first = {model._meta.label: model.objects.count() for model in models}
    assert first["catalog.ServiceItem"] >= 30 and first["org.Center"] >= 1
    call_command("load_demo", stdout=io.StringIO())
    second = {model._meta.label: model.objects.count() for model in models}
    changed = {label: (first[label], n) for label, n in second.items() if n != first[label]}
    assert changed == {}
