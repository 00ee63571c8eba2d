import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")

from django.core.wsgi import get_wsgi_application

from govhall.core.heap import freezing_after_warmup
from govhall.core.sqlite_backend.group_commit import counting_requests

# Full garbage collections would stop the worker for 65–140 ms (govhall/core/heap.py); the
# writing requests in flight tell SQLite's group commit how many writes are on their way.
application = freezing_after_warmup(counting_requests(get_wsgi_application()))
