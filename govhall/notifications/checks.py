"""Deploy checks of notifications (`manage.py check --deploy`)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def console_sms_backend_in_production(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The console backend prints every SMS body (verification codes included) to the log:
    never with DEBUG off."""
    if settings.DEBUG or getattr(settings, "SMS_BACKEND", "console") != "console":
        return []
    return [
        checks.Error(
            "SMS_BACKEND=console 会把短信正文（含验证码）打印到日志，"
            "生产环境（DEBUG 关闭）不可使用。",
            hint="设置 SMS_BACKEND=aliyun 或 tencent，并配置相应的密钥。",
            id="govhall.notifications.E001",
        )
    ]
