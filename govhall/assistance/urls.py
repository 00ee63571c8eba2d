from django.urls import path

from govhall.assistance import views, views_proxy, views_special

app_name = "assistance"

urlpatterns = [
    # 帮办与代办
    path("assistance/", views.console, name="console"),
    path("assistance/help/<int:record_id>/forms.pdf", views.help_forms_pdf, name="help_forms"),
    path("assistance/proxies/", views_proxy.register, name="register"),
    path("assistance/proxies/<str:number>/", views_proxy.proxy_detail, name="proxy"),
    path(
        "assistance/proxies/<str:number>/doc/<int:doc_id>/",
        views_proxy.proxy_document,
        name="proxy_document",
    ),
    # special groups, extended hours, emergency help
    path("assistance/special/", views_special.special, name="special"),
    path("assistance/emergency/", views_special.emergency, name="emergency"),
]
