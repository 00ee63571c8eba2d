"""Fixtures and helpers for the Cases II tests (imported by those test modules)."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from govhall.cases.models import Case
from govhall.org.testing import make_user


def signature_png() -> bytes:
    """A signature-like stroke, as the pad's canvas would export it."""
    image = Image.new("RGBA", (400, 150), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.line([(20, 100), (80, 40), (140, 110), (220, 30), (300, 120), (380, 60)], "black", 6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def output_clerk(center):
    return make_user(
        "output-t", ("output_clerk", center), display_name="周出件", phone="13900000001"
    )


@pytest.fixture
def manager(center):
    return make_user("manager-t", ("manager", center), display_name="钱主任", phone="13900000002")


def reload(case: Case) -> Case:
    return Case.objects.select_related("item", "center", "department", "guide").get(pk=case.pk)
