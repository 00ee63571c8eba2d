"""Load the demo center: idempotent, safe to run on every `make run`.

Each installed app may provide `<app>/demo.py` with `load(stdout) -> None`. They run in
INSTALLED_APPS order, which is the apps' dependency order (org before catalog before
queueing, appointments and cases), each in its own transaction, and must be idempotent
(get_or_create on natural keys). Core names no app: it asks Django which are installed.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from govhall.core.discovery import app_modules


class Command(BaseCommand):
    help = "载入演示数据（虚构的黑龙江某县政务服务中心），可重复执行。"

    def handle(self, *args, **options):
        for module in app_modules("demo"):
            load = getattr(module, "load", None)
            if load is None:
                continue
            with transaction.atomic():
                load(self.stdout)
        self.stdout.write("演示数据已就绪。")
