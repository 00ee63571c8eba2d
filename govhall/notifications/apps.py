from django.apps import AppConfig
from django.db.models.signals import post_migrate


def seed_templates_after_migrate(sender, app_config=None, using="default", **kwargs) -> None:
    # post_migrate also runs after a test database flush, so the templates come back.
    if app_config is None or app_config.label != "notifications":
        return
    from govhall.notifications.templates_seed import seed_templates

    seed_templates()


class NotificationsConfig(AppConfig):
    name = "govhall.notifications"
    label = "notifications"
    verbose_name = "消息通知"

    def ready(self) -> None:
        from govhall.notifications import checks  # noqa: F401
        from govhall.org.workbench import Screen, register_screen

        post_migrate.connect(
            seed_templates_after_migrate, dispatch_uid="govhall.notifications.seed_templates"
        )
        register_screen(
            Screen(
                key="notifications.calls",
                title="电话通知任务",
                url_name="notifications:calls",
                roles={"consultant", "guide", "manager", "clerk"},
                description="给无手机号码或短信发送失败的群众打电话告知",
            )
        )
