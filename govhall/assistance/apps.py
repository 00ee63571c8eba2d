from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "govhall.assistance"
    label = "assistance"
    verbose_name = "帮办代办与便民服务"

    def ready(self) -> None:
        from govhall.assistance import hooks_special
        from govhall.assistance.matters import register as register_proxy_matter
        from govhall.assistance.screens import register as register_proxy_screens

        register_proxy_matter()
        register_proxy_screens()
        hooks_special.register()
