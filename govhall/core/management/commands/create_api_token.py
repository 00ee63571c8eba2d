import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from govhall.core.audit import log_action
from govhall.core.models import ApiToken


class Command(BaseCommand):
    help = "为用户或设备账号生成新的 API 令牌并打印（只显示这一次）。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--label", default="")

    def handle(self, *args, username, label, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在。")
        key = "gh_" + secrets.token_urlsafe(32)
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user, label=label, prefix=key[:10], key_hash=ApiToken.hash_key(key)
            )
            log_action(
                actor=None,
                action="govhall.core.api_token.created",
                obj=token,
                data={"user": username, "label": label},
            )
        self.stdout.write(key)
