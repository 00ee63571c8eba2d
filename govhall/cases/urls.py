from django.urls import path

from govhall.cases import views

app_name = "cases"

urlpatterns = [
    path("progress/", views.progress, name="progress"),
    path("cases/", views.review, name="review"),
    path("cases/intake/", views.intake, name="intake"),
    path("cases/c/<str:case_no>/", views.detail, name="detail"),
    path("cases/c/<str:case_no>/doc/<int:doc_id>/", views.document_pdf, name="document"),
    path("cases/refusal/<int:refusal_id>/", views.refusal, name="refusal"),
]
