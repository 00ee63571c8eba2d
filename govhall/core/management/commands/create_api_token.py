import datetime as dt
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from govhall.core.audit import log_action
from govhall.core.models import ApiToken

MAX_DAYS = ApiToken.MAX_LIFETIME.days


class Command(BaseCommand):
    help = (
        "为用户或设备账号生成新的 API 令牌并打印（只显示这一次，库中只存摘要）。"
        f"有效期默认且最长 {MAX_DAYS} 天；不为超级管理员生成；设备令牌只能用于所选范围。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--label", default="", help="用途说明，如“3号窗口评价器”")
        parser.add_argument(
            "--days", type=int, default=MAX_DAYS, help=f"有效天数（默认且最长 {MAX_DAYS} 天）"
        )
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            default=None,
            help="设备令牌的权限范围，可多次给出："
            + "、".join(f"{k}（{v}）" for k, v in ApiToken.DEVICE_SCOPES.items())
            + "；默认全部",
        )

    def handle(self, *args, username, label, days=MAX_DAYS, scopes=None, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在。")
        if not user.is_active:
            raise CommandError(f"用户 {username} 已停用。")
        if user.is_superuser:
            raise CommandError("不为超级管理员生成令牌：请以设备账号或普通工作人员账号调用接口。")
        if days is None or days < 1 or days > MAX_DAYS:
            raise CommandError(f"--days 须为 1 到 {MAX_DAYS} 之间的整数。")
        if scopes and not user.is_device:
            raise CommandError("--scope 只用于设备账号的令牌。")
        unknown = sorted(set(scopes or ()) - set(ApiToken.DEVICE_SCOPES))
        if unknown:
            raise CommandError(f"未知的权限范围：{'、'.join(unknown)}。")
        if user.is_device:
            scopes = sorted(set(scopes or ApiToken.DEVICE_SCOPES))
        now = timezone.now()
        key = "gh_" + secrets.token_urlsafe(32)
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user,
                label=label,
                prefix=key[:10],
                key_hash=ApiToken.hash_key(key),
                expires_at=now + dt.timedelta(days=days),
                scopes=scopes or [],
            )
            log_action(
                actor=None,
                action="govhall.core.api_token.created",
                obj=token,
                data={"user": username, "label": label, "days": days, "scopes": scopes or []},
                now=now,
            )
        self.stdout.write(key)
