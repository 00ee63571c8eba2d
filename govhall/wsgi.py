import os

from django.core.wsgi import get_wsgi_application

from govhall.core.heap import freezing_after_warmup

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")

# Full garbage collections would stop the worker for 65–140 ms (govhall/core/heap.py).
application = freezing_after_warmup(get_wsgi_application())
