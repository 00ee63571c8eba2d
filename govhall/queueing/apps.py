from django.apps import AppConfig


class QueueingConfig(AppConfig):
    name = "govhall.queueing"
    label = "queueing"
    verbose_name = "排队叫号"

    def ready(self) -> None:
        from govhall.org.workbench import Screen, register_screen

        for screen in [
            Screen(
                "queue.console",
                "窗口叫号",
                "queueing:console",
                {"clerk", "output_clerk", "proxy", "manager"},
                "签到、叫号、重呼、办结、转办、过号、暂停",
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
