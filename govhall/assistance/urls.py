app_name = "assistance"

urlpatterns: list = []

from django.urls import path  # noqa: E402

from govhall.assistance import views_special  # noqa: E402

urlpatterns += [
    path("assistance/special/", views_special.special, name="special"),
    path("assistance/emergency/", views_special.emergency, name="emergency"),
]
