"""Chinese names for Django's built-in model permissions.

Django names them "Can add <model>" in English whatever the language; the admin lists
them by that name when roles and users are given permissions. After each app's migrate
(where Django creates them) they are renamed "可新增<模型>", "可修改…", "可删除…", "可查看…"."""

from __future__ import annotations

from django.db.models.signals import post_migrate

ACTIONS = {"add": "新增", "change": "修改", "delete": "删除", "view": "查看"}


def chinese_permission_names(sender, app_config=None, using="default", **kwargs) -> None:
    if app_config is None or not app_config.models_module:
        return
    from django.conf import settings
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        _rename(app_config, using, Permission, ContentType)


def _rename(app_config, using, Permission, ContentType) -> None:
    for model in app_config.get_models():
        content_type = ContentType.objects.db_manager(using).get_for_model(
            model, for_concrete_model=False
        )
        for action, verb in ACTIONS.items():
            if action not in model._meta.default_permissions:
                continue
            name = f"可{verb}{model._meta.verbose_name}"[:255]
            Permission.objects.using(using).filter(
                content_type=content_type,
                codename=f"{action}_{model._meta.model_name}",
                name__startswith="Can ",
            ).update(name=name)


def connect() -> None:
    post_migrate.connect(
        chinese_permission_names, dispatch_uid="govhall.core.chinese_permission_names"
    )
