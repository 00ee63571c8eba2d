"""Waiting counts per category and day on TicketCounter, kept by triggers on the ticket
table (govhall/queueing/migrations/_waiting_triggers.py), and filled from the tickets already waiting."""

from django.db import migrations, models

from govhall.queueing.migrations import _waiting_triggers as triggers


def create_triggers(apps, schema_editor) -> None:
    triggers.install(schema_editor.connection)
    triggers.refill(apps.get_model("queueing", "Ticket"), apps.get_model("queueing", "TicketCounter"))


def drop_triggers(apps, schema_editor) -> None:
    triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("queueing", "0003_lean_write_indexes")]

    operations = [
        migrations.AddField(
            model_name="ticketcounter",
            name="waiting_first",
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name="ticketcounter",
            name="waiting_rest",
            field=models.IntegerField(default=0),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
