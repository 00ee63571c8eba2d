from django.urls import path

from govhall.catalog import files, views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.items, name="items"),
    path("items/<str:code>/", views.item, name="item"),
    path("items/<str:code>/notice.pdf", views.item_notice, name="item_notice"),
    path("materials/<int:material_id>/<str:field>/", views.material_file, name="material_file"),
    path("staff-directory/", views.staff_directory, name="staff_directory"),
    # MEDIA_URL: only what a center publishes (catalog/files.py), in production as well.
    path("media/<path:path>", files.published_file, name="published_file"),
    path("touch/", views.touch_home, name="touch_home"),
    path("touch/d/<str:code>/", views.touch_department, name="touch_department"),
    path("touch/i/<str:code>/", views.touch_item, name="touch_item"),
]
