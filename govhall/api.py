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
    description="见 API.md：公开目录、取号叫号、预约、办件、好差评等接口。",
    auth=STAFF_AUTH,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
# The routes asked for all day, tried first when a path is resolved (core.api
# install_error_handlers): the window console's keys, the boards' polls, issuing and the
# mobile ticket page. core/tests/test_api.py checks that each still exists.
FIRST_ROUTES = (
    "windows/<window_id>/call-next",
    "tickets/<ticket_id>/finish",
    "display/<center>",
    "tickets",
    "tickets/<ticket_id>",
    "tickets/<ticket_id>/start",
    "tickets/<ticket_id>/recall",
    "tickets/<ticket_id>/no-show",
    "tickets/<ticket_id>/transfer",
    "queue/status",
)

install_error_handlers(api, first=FIRST_ROUTES)

for app in API_APPS:
    module_name = f"govhall.{app}.api"
    if find_spec(f"govhall.{app}") and find_spec(module_name):
        api.add_router("/", import_module(module_name).router)
