from django.urls import path

from govhall.documents import views

app_name = "documents"

urlpatterns = [
    path("d/<str:token>/", views.download, name="download"),
]
