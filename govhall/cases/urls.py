from django.urls import path

from govhall.cases import views, views_flow, views_pay

app_name = "cases"

urlpatterns = [
    path("progress/", views.progress, name="progress"),
    path("cases/", views.review, name="review"),
    path("cases/intake/", views.intake, name="intake"),
    path("cases/c/<str:case_no>/", views.detail, name="detail"),
    path("cases/c/<str:case_no>/doc/<int:doc_id>/", views.document_pdf, name="document"),
    path("cases/refusal/<int:refusal_id>/", views.refusal, name="refusal"),
    # Cases II
    path("cases/approval/", views_flow.approval_console, name="approval"),
    path("cases/output/", views_flow.output_console, name="output"),
    path("cases/f/<str:case_no>/", views_flow.flow_case, name="flow"),
    path("cases/batches/", views_flow.batches, name="batches"),
    path("cases/batches/<int:batch_id>/", views_flow.batch, name="batch"),
    path("cases/batches/<int:batch_id>/pdf/", views_flow.batch_pdf, name="batch_pdf"),
    path("cases/monitor/", views_flow.monitor, name="monitor"),
    path("results/", views_flow.results_public, name="results"),
    path("cases/pay/fake/<str:out_trade_no>/", views_pay.fake_pay, name="pay_fake"),
]
