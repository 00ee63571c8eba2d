from django.urls import path

from govhall.notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/calls/", views.call_list, name="calls"),
    path("notifications/calls/<int:task_id>/", views.call_detail, name="call_detail"),
]
