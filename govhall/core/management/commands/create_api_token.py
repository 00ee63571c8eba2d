import datetime as dt
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from govhall.core.audit import log_action
from govhall.core.models import ApiToken


class Command(BaseCommand):
    help = "为用户或设备账号生成新的 API 令牌并打印（只显示这一次，库中只存摘要）。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--label", default="", help="用途说明，如“3号窗口评价器”")
        parser.add_argument("--days", type=int, default=None, help="有效天数（默认长期有效）")

    def handle(self, *args, username, label, days=None, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在。")
        if not user.is_active:
            raise CommandError(f"用户 {username} 已停用。")
        if days is not None and days < 1:
            raise CommandError("--days 须为正整数。")
        now = timezone.now()
        key = "gh_" + secrets.token_urlsafe(32)
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user,
                label=label,
                prefix=key[:10],
                key_hash=ApiToken.hash_key(key),
                expires_at=now + dt.timedelta(days=days) if days else None,
            )
            log_action(
                actor=None,
                action="govhall.core.api_token.created",
                obj=token,
                data={"user": username, "label": label, "days": days},
                now=now,
            )
        self.stdout.write(key)
