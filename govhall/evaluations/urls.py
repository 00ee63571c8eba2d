from django.urls import path

from govhall.evaluations import staff_views, survey_views, views

app_name = "evaluations"

urlpatterns = [
    path("e/<str:token>/", views.rate, name="rate"),
    path("s/<str:token>/", views.survey, name="survey"),
    path("evaluations/device/", views.device, name="device"),
    path("evaluations/device/poll/", views.device_poll, name="device_poll"),
    path("evaluations/", staff_views.dashboard, name="dashboard"),
    path("evaluations/export.xlsx", staff_views.export_xlsx, name="export_xlsx"),
    path("evaluations/national.csv", staff_views.export_national, name="export_national"),
    path("evaluations/rectifications/", staff_views.rectifications, name="rectifications"),
    path(
        "evaluations/rectifications/<int:rect_id>/",
        staff_views.rectification,
        name="rectification",
    ),
    path("evaluations/ratings/<int:rating_id>/", staff_views.rating, name="rating"),
    path("evaluations/box/", staff_views.box, name="box"),
    path("evaluations/qr/", staff_views.qr_codes, name="qr"),
    path("evaluations/qr/<str:kind>/<int:obj_id>.png", staff_views.qr_png, name="qr_png"),
    path("evaluations/surveys/<int:survey_id>/", staff_views.survey_results, name="survey_results"),
    path("evaluations/surveys/", survey_views.survey_list, name="surveys"),
    path("evaluations/surveys/new/", survey_views.survey_edit, name="survey_new"),
    path("evaluations/surveys/<int:survey_id>/edit/", survey_views.survey_edit, name="survey_edit"),
    path(
        "evaluations/surveys/<int:survey_id>/<str:action>/",
        survey_views.survey_action,
        name="survey_action",
    ),
    path("evaluations/surveys/<int:survey_id>/qr.png", survey_views.survey_qr, name="survey_qr"),
]
