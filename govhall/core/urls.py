from django.urls import path

from govhall.core import devices

app_name = "core"

urlpatterns = [
    path("device/", devices.device_sign_in, name="device"),
]
