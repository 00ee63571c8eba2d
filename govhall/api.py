"""The one NinjaAPI at /api/v1/. Each app's api.py exposes `router`; it is mounted here."""

from importlib import import_module
from importlib.util import find_spec

from ninja import NinjaAPI

from govhall.core.api import STAFF_AUTH, install_error_handlers

# Order fixes the order of sections in the OpenAPI document.
API_APPS = [
    "core",
    "org",
    "catalog",
    "documents",
    "notifications",
    "queueing",
    "appointments",
    "consultations",
    "cases",
    "assistance",
    "evaluations",
    "supervision",
    "archive",
    "reports",
]

api = NinjaAPI(
    title="govhall 政务服务中心 API",
    version="1",
    description="见 docs/api.md：公开目录、取号叫号、预约、办件、好差评等接口。",
    auth=STAFF_AUTH,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
install_error_handlers(api)

# The queue's router is mounted first: Django tries an API path against the routes in the
# order they were declared, and the window consoles' and boards' calls are most of a hall's
# day. The OpenAPI document keeps the order of API_APPS (its tags are listed below).
MOUNT_FIRST = "queueing"
for app in [MOUNT_FIRST, *(a for a in API_APPS if a != MOUNT_FIRST)]:
    module_name = f"govhall.{app}.api"
    if find_spec(f"govhall.{app}") and find_spec(module_name):
        api.add_router("/", import_module(module_name).router)
