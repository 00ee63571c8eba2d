"""WSGI entry for bench/queue_load.py only: the real govhall application plus two bare Django
views on the same server (a JSON reply and a one-row insert), so the comparison is made
with the same workers, middleware and database. govhall/urls.py is not touched."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import clear_url_caches, path  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

import govhall.urls  # noqa: E402

# Which audit chain queue writes append to (see govhall.queueing.services.audit_chain).
settings.QUEUE_AUDIT_CHAIN = os.environ.get("BENCH_AUDIT_CHAIN", "center")


def bare_json(request):
    return JsonResponse({"status": "ok", "at": timezone.now().isoformat()})


@csrf_exempt
def bare_insert(request):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_row (at) VALUES (%s)", [timezone.now().isoformat()])
    return JsonResponse({"status": "ok"}, status=201)


govhall.urls.urlpatterns.insert(0, path("bench/json", bare_json))
govhall.urls.urlpatterns.insert(0, path("bench/insert", bare_insert))
clear_url_caches()

# The production entry point itself (heap freezing included); it resolves URLs per request,
# so the two bench views above are found.
from govhall.wsgi import application  # noqa: E402, F401
