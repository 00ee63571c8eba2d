"""Gapless serial numbers (case, 代办 and document numbers)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction

from govhall.core.models import SerialCounter


def next_serial(model: type[SerialCounter], **key: Any) -> int:
    """The next serial under `key` (the counter's unique fields). The counter row stays
    locked until the caller commits, so two transactions never get the same serial and a
    rolled-back one gives its serial back (no gaps)."""
    counter = model.objects.select_for_update().filter(**key).first()
    if counter is None:
        try:
            with transaction.atomic():
                model.objects.create(**key)
        except IntegrityError:
            pass  # created meanwhile by a concurrent transaction
        counter = model.objects.select_for_update().get(**key)
    model.objects.filter(pk=counter.pk).update(last_serial=models.F("last_serial") + 1)
    return counter.last_serial + 1
