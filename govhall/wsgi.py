import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")

from django.core.wsgi import get_wsgi_application

from govhall.core.heap import freezing_after_warmup

# Full garbage collections would stop the worker for 65–140 ms (govhall/core/heap.py).
application = freezing_after_warmup(get_wsgi_application())
