from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "govhall.org"
    label = "org"
    verbose_name = "组织与人员"

    def ready(self) -> None:
        from govhall.org import auth  # noqa: F401  (connects the login-failure receiver)
        from govhall.org.models import Role
        from govhall.org.workbench import Screen, register_screen

        register_screen(
            Screen(
                key="org.people",
                title="人员与窗口",
                url_name="admin:org_user_changelist",
                roles={Role.MANAGER, Role.ADMIN},
                description="工作人员账号、角色分配、解除锁定；窗口、区域、进驻部门",
                order=900,
                group="系统管理",
            )
        )
        register_screen(
            Screen(
                key="org.centers",
                title="中心信息",
                url_name="admin:org_center_changelist",
                roles={Role.ADMIN},
                description="办公时间、地址、咨询与投诉监督渠道、公告滚动信息",
                order=910,
                group="系统管理",
            )
        )
