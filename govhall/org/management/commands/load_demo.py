"""Load the demo center: idempotent, safe to run on every `make run`.

Each app may provide govhall/<app>/demo.py with `load(stdout) -> None`; they run in the
apps' dependency order (govhall.api.API_APPS), each in its own transaction, and must be
idempotent (get_or_create on natural keys).
"""

from importlib import import_module
from importlib.util import find_spec

from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "载入演示数据（虚构的黑龙江某县政务服务中心），可重复执行。"

    def handle(self, *args, **options):
        from govhall.api import API_APPS

        for app in API_APPS:
            module = f"govhall.{app}.demo"
            if find_spec(f"govhall.{app}") and find_spec(module):
                with transaction.atomic():
                    import_module(module).load(self.stdout)
        self.stdout.write("演示数据已就绪。")
