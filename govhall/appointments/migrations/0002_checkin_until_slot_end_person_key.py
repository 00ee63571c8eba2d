from django.db import migrations, models


class Migration(migrations.Migration):
    """6.3.5: check-in open until the slot ends (+ the rule's grace, kept from the old
    no-show grace); failed online cancel attempts counted per booking; one active booking
    per slot keyed by ID number and phone."""

    dependencies = [
        ("appointments", "0001_initial"),
    ]

    operations = [
        migrations.RemoveField(model_name="bookingrule", name="checkin_after_minutes"),
        migrations.RenameField(
            model_name="bookingrule",
            old_name="no_show_grace_minutes",
            new_name="checkin_grace_minutes",
        ),
        migrations.AlterField(
            model_name="bookingrule",
            name="checkin_grace_minutes",
            field=models.PositiveSmallIntegerField(
                default=0, verbose_name="签到截止延后（时段结束后分钟数，0为时段结束即截止）"
            ),
        ),
        migrations.AddField(
            model_name="appointment",
            name="cancel_failures",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="网上取消验证失败次数"),
        ),
        migrations.RemoveConstraint(model_name="appointment", name="appt_one_active_per_slot"),
        migrations.AddConstraint(
            model_name="appointment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["booked", "checked_in"])),
                fields=("slot", "id_number", "phone"),
                name="appt_one_active_per_slot_person",
            ),
        ),
    ]
