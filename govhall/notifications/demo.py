"""Demo data: the built-in SMS templates, with placeholder provider codes to show where the
approved Aliyun/Tencent template codes go (idempotent)."""

from __future__ import annotations

from govhall.notifications.models import SmsTemplate
from govhall.notifications.templates_seed import seed_templates


def load(stdout) -> None:
    created = seed_templates()
    stdout.write(f"短信模板：{SmsTemplate.objects.count()} 个（新建 {created} 个）。")
