from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_waiting_triggers(sender, using="default", **kwargs) -> None:
    """After every migrate: SQLite drops the ticket table's triggers when a migration
    rebuilds that table, and the waiting counts would silently stop following (see
    govhall/queueing/migrations/_waiting_triggers.py). Reinstall and recount if so."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from govhall.queueing.migrations import _waiting_triggers as triggers
    from govhall.queueing.models import Ticket, TicketCounter

    connection = connections[using]
    applied = MigrationRecorder(connection).applied_migrations()
    if ("queueing", "0004_counter_waiting") not in applied or triggers.present(connection):
        return
    triggers.install(connection)
    triggers.refill(Ticket, TicketCounter)


class QueueingConfig(AppConfig):
    name = "govhall.queueing"
    label = "queueing"
    verbose_name = "排队叫号"

    def ready(self) -> None:
        from govhall.org.workbench import Screen, register_screen

        post_migrate.connect(_ensure_waiting_triggers, sender=self)

        for screen in [
            Screen(
                "queue.console",
                "窗口叫号",
                "queueing:console",
                {"clerk", "output_clerk", "proxy", "manager"},
                "签到、叫号、重呼、服务结束、转办、过号、暂停",
                10,
            ),
            Screen(
                "queue.guide",
                "导办取号",
                "queueing:guide",
                {"guide", "consultant", "manager"},
                "为服务对象取号，优先群体，自助办理建议",
                20,
            ),
            Screen(
                "queue.kiosk",
                "自助取号机",
                "queueing:kiosk",
                {"guide", "manager", "device"},
                "触摸屏取号页面（取号机全屏打开）",
                30,
            ),
            Screen(
                "queue.board",
                "叫号显示屏",
                "queueing:board_index",
                {"device", "manager"},
                "大厅叫号屏（可按区域分屏：?zones=A,B）",
                35,
            ),
            Screen(
                "queue.alerts",
                "空窗告警",
                "queueing:alerts",
                {"manager", "inspector"},
                "窗口空窗（长时间无操作、暂停超时）告警与记录",
                40,
            ),
        ]:
            register_screen(screen)
