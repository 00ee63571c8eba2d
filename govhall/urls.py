from importlib import import_module
from importlib.util import find_spec

from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static as static_url
from django.urls import include, path, re_path

from govhall.api import API_APPS, api
from govhall.core.edge import api_not_found

admin.site.site_header = "政务服务中心管理后台"
admin.site.site_title = "政务服务中心管理后台"
admin.site.index_title = "系统管理"


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    # Resolved per request: the manifest storage knows the hashed name only after
    # collectstatic, which may run after this module is imported.
    return HttpResponseRedirect(static_url("govhall/favicon.svg"))


# The API first: most requests of a hall's day are its (Django tries these in order).
urlpatterns = [
    path("api/v1/", api.urls),
    # Any other path under the API: a problem+json 404, never the site's HTML page.
    re_path(r"^api/", api_not_found),
    path("admin/", admin.site.urls),
    # base.html names the icon; the admin's pages do not, and a browser then asks for
    # /favicon.ico (a 404 in the log each time otherwise).
    path("favicon.ico", favicon),
]

# Each app's pages: govhall/<app>/urls.py with its own app_name. The catalog app owns "/".
for app in API_APPS:
    if find_spec(f"govhall.{app}") and find_spec(f"govhall.{app}.urls"):
        urlpatterns.append(path("", include(import_module(f"govhall.{app}.urls"))))
# MEDIA_URL is not served wholesale, not even with DEBUG on: govhall/catalog/files.py
# serves only the files a center publishes (staff photos, blank forms).
