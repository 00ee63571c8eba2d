from django.urls import path

from govhall.org import views

app_name = "org"

urlpatterns = [
    path("staff/", views.workbench, name="workbench"),
    path("staff/login/", views.StaffLoginView.as_view(), name="login"),
    path("staff/logout/", views.StaffLogoutView.as_view(), name="logout"),
    path("staff/password/", views.StaffPasswordChangeView.as_view(), name="password_change"),
]
