from django.urls import path

from govhall.queueing import views, views_board, views_guide

app_name = "queueing"

urlpatterns = [
    path("kiosk/", views.kiosk, name="kiosk"),
    path("kiosk/issue/", views.kiosk_issue, name="kiosk_issue"),
    path("kiosk/slip/<int:ticket_id>/", views.kiosk_slip, name="slip"),
    path("guide/", views_guide.guide_desk, name="guide"),
    path("window/", views.console, name="console"),
    path("window/<int:window_id>/action/", views.console_action, name="console_action"),
    path("window/alerts/", views_board.alerts, name="alerts"),
    path("board/", views_board.board_index, name="board_index"),
    path("board/<str:center_code>/", views_board.board, name="board"),
    path("t/<int:ticket_id>/", views.ticket_page, name="ticket_page"),
]
