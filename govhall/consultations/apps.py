from django.apps import AppConfig


def _seed_after_migrate(sender, app_config=None, using="default", **kwargs) -> None:
    if app_config is None or app_config.label != "consultations":
        return
    from govhall.consultations.phrases import seed_phrases

    seed_phrases()


class ConsultationsConfig(AppConfig):
    name = "govhall.consultations"
    label = "consultations"
    verbose_name = "咨询服务"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from govhall.org.workbench import Screen, register_screen

        post_migrate.connect(_seed_after_migrate, dispatch_uid="govhall.consultations.seed")
        # The window console says the library's phrases (queueing does not import us).
        from govhall.consultations.selectors import console_phrase
        from govhall.queueing.phrases import register_library

        register_library(console_phrase)
        # …and the phone screen's A.3.5 greeting.
        from govhall.consultations.selectors import phrase
        from govhall.notifications.phrases import register_library as register_phone

        register_phone(phrase)
        register_screen(
            Screen(
                key="consultations.desk",
                title="咨询台",
                url_name="consultations:desk",
                roles={"consultant", "guide", "clerk", "output_clerk", "proxy", "manager"},
                description="登记咨询（窗口、电话、网上、信函），一次性告知，入台账并约定答复时间",
                order=15,
            )
        )
        register_screen(
            Screen(
                key="consultations.ledger",
                title="咨询台账",
                url_name="consultations:ledger",
                roles={
                    "consultant",
                    "guide",
                    "clerk",
                    "output_clerk",
                    "proxy",
                    "manager",
                    "approver",
                },
                description="待答复、转办、逾期的咨询；部门的转办咨询；答复（短信、电话、答复函、网上）",
                order=16,
            )
        )
        register_screen(
            Screen(
                key="consultations.wayfinding",
                title="中心导视",
                url_name="consultations:guide_wayfinding",
                roles={"guide", "consultant", "clerk", "manager"},
                description="窗口、卫生间、自助服务区、无障碍入口、急救点的位置和走法（6.4.2）",
                order=18,
            )
        )
        register_screen(
            Screen(
                key="consultations.stats",
                title="咨询统计",
                url_name="consultations:stats",
                roles={"manager", "consultant"},
                description="按渠道、事项、时段统计；当场答复率、按时答复率、重复咨询；导出Excel",
                order=17,
            )
        )
