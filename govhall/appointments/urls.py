from django.urls import path

from govhall.appointments import staff_views, views

app_name = "appointments"

urlpatterns = [
    path("booking/", views.booking_home, name="booking_home"),
    path("booking/item/<str:item_code>/", views.booking_slots, name="booking_slots"),
    path("booking/item/<str:item_code>/<int:slot_id>/", views.booking_form, name="booking_form"),
    path("booking/sms-code/", views.booking_sms_code, name="booking_sms_code"),
    path("booking/c/<str:code>/", views.confirmation, name="confirmation"),
    path("booking/c/<str:code>/pdf", views.confirmation_pdf, name="confirmation_pdf"),
    path("booking/cancel/", views.booking_cancel, name="booking_cancel"),
    path("booking/checkin/", views.booking_checkin, name="checkin"),
    path("appointments/", staff_views.staff_day, name="staff_day"),
    path("appointments/new/", staff_views.staff_new, name="staff_new"),
    path("appointments/a/<str:code>/", staff_views.staff_detail, name="staff_detail"),
]
