from django.urls import path

from govhall.consultations import public_views, views

app_name = "consultations"

urlpatterns = [
    path("consult/", public_views.online_form, name="online"),
    path("consult/lookup/", public_views.lookup, name="lookup"),
    path("wayfinding/", public_views.wayfinding, name="wayfinding"),
    path("wayfinding/plan/<str:code>.png", public_views.floor_plan, name="floor_plan"),
    path("touch/wayfinding/", public_views.touch_wayfinding, name="touch_wayfinding"),
    path("consultations/", views.desk, name="desk"),
    path("consultations/ledger/", views.ledger, name="ledger"),
    path("consultations/c/<int:pk>/", views.detail, name="detail"),
    path("consultations/c/<int:pk>/letter/", views.letter_pdf, name="letter"),
    path("consultations/stats/", views.stats, name="stats"),
    path("consultations/stats.xlsx", views.stats_xlsx, name="stats_xlsx"),
    path("consultations/wayfinding/", views.guide_wayfinding, name="guide_wayfinding"),
]
