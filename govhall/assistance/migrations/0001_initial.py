# The app's first migration: empty, so that each area of the app (帮办代办, special groups,
# emergency help) adds its tables in its own migration on top of it.
from django.db import migrations


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("evaluations", "0001_initial"),
    ]

    operations = []
