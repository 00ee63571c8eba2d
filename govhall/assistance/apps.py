from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "govhall.assistance"
    label = "assistance"
    verbose_name = "帮办代办与便民服务"

    def ready(self) -> None:
        from govhall.assistance import hooks_special

        hooks_special.register()
