"""Keep the working-day index in step with admin edits of the calendar."""

from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from govhall.core import workdays
from govhall.core.models import CalendarDay, CalendarYear


@receiver([post_save, post_delete], sender=CalendarYear)
@receiver([post_save, post_delete], sender=CalendarDay)
def calendar_edited(sender, instance, **kwargs) -> None:
    workdays.invalidate()
    year = instance.year if sender is CalendarYear else instance.date.year
    transaction.on_commit(lambda: workdays.calendar_changed.send(sender=CalendarYear, years={year}))


def seed_calendar_after_migrate(sender, app_config=None, using="default", **kwargs) -> None:
    if app_config is None or app_config.label != "core":
        return
    from govhall.core.services import calendar_seed_missing_years

    calendar_seed_missing_years()


post_migrate.connect(seed_calendar_after_migrate, dispatch_uid="govhall.core.seed_calendar")
