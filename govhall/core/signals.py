"""Keep the working-day index in step with edits of the calendar (admin or services)."""

from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver
from django.utils import timezone

from govhall.core import workdays
from govhall.core.models import CalendarDay, CalendarYear


@receiver([post_save, post_delete], sender=CalendarYear)
@receiver([post_save, post_delete], sender=CalendarDay)
def calendar_edited(sender, instance, **kwargs) -> None:
    year = instance.year if sender is CalendarYear else instance.date.year
    if sender is CalendarDay and kwargs.get("signal") is post_save:
        # Editing a day in place changes no count or id: bump its year's updated_at so
        # other processes, which compare (counts, max id, max updated_at), rebuild too.
        CalendarYear.objects.filter(year=instance.year_id).update(updated_at=timezone.now())
    workdays.calendar_touched({year})


def seed_calendar_after_migrate(sender, app_config=None, using="default", **kwargs) -> None:
    if app_config is None or app_config.label != "core":
        return
    from govhall.core.services import calendar_seed_missing_years

    calendar_seed_missing_years()


post_migrate.connect(seed_calendar_after_migrate, dispatch_uid="govhall.core.seed_calendar")
