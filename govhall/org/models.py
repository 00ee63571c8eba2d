"""The center's organisation: the tree of centers, stationed departments, zones, windows,
staff accounts with roles and scope."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    GUIDE = "guide", "引导人员"
    CONSULTANT = "consultant", "咨询服务人员"
    CLERK = "clerk", "综合窗口人员"
    APPROVER = "approver", "审批人员"
    OUTPUT_CLERK = "output_clerk", "综合出件窗口人员"
    PROXY = "proxy", "帮代办人员"
    MANAGER = "manager", "中心管理人员"
    INSPECTOR = "inspector", "监督检查人员"
    ADMIN = "admin", "系统管理员"
    DEVICE = "device", "设备账号"


class Center(models.Model):
    """A service center or station; centers form a tree (§1 of the standard)."""

    class Level(models.TextChoices):
        PROVINCE = "province", "省级政务服务中心"
        CITY = "city", "市级政务服务中心"
        COUNTY = "county", "县（区）级政务服务中心"
        TOWNSHIP = "township", "乡镇（街道）便民服务中心"
        VILLAGE = "village", "村（社区）便民服务站"

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称（用于文书编号）", max_length=20, blank=True)
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="上级中心",
    )
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=40, blank=True)
    complaint_phone = models.CharField("投诉监督电话", max_length=40, blank=True)
    supervision_channels = models.TextField("监督投诉渠道", blank=True)
    opening_hours = models.TextField("办公时间", blank=True, default="")
    morning_open = models.TimeField("上午开始", default=dt.time(9, 0))
    morning_close = models.TimeField("上午结束", default=dt.time(12, 0))
    afternoon_open = models.TimeField("下午开始", default=dt.time(13, 30))
    afternoon_close = models.TimeField("下午结束", default=dt.time(17, 0))
    sms_signature = models.CharField("短信签名", max_length=30, blank=True)
    public_notice = models.TextField("公告滚动信息", blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "政务服务中心"
        verbose_name_plural = "政务服务中心"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list[Center]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    def is_open_at(self, moment: dt.datetime) -> bool:
        """Within morning or afternoon hours (working-day check is the caller's)."""
        t = moment.time()
        return (self.morning_open <= t < self.morning_close) or (
            self.afternoon_open <= t < self.afternoon_close
        )

    @property
    def signature(self) -> str:
        return self.sms_signature or self.name


class Department(models.Model):
    """A department stationed in a center (进驻部门)."""

    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="departments", verbose_name="所属中心"
    )
    code = models.CharField("编码", max_length=32)
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称（用于文书编号）", max_length=20, blank=True)
    phone = models.CharField("咨询电话", max_length=40, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "进驻部门"
        verbose_name_plural = "进驻部门"
        ordering = ["center", "code"]
        constraints = [
            models.UniqueConstraint(fields=["center", "code"], name="department_center_code")
        ]

    def __str__(self) -> str:
        return self.name


class Zone(models.Model):
    class Kind(models.TextChoices):
        WAITING = "waiting", "等候区"
        SERVICE = "service", "窗口服务区"
        SELF_SERVICE = "self_service", "自助服务区"
        FUNCTIONAL = "functional", "功能区"

    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="zones", verbose_name="所属中心"
    )
    code = models.CharField("编码", max_length=32)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    floor = models.CharField("楼层", max_length=20, blank=True)
    directions = models.CharField("位置指引", max_length=200, blank=True)

    class Meta:
        verbose_name = "功能区域"
        verbose_name_plural = "功能区域"
        ordering = ["center", "code"]
        constraints = [models.UniqueConstraint(fields=["center", "code"], name="zone_center_code")]

    def __str__(self) -> str:
        return f"{self.name}（{self.floor}）" if self.floor else self.name


class Window(models.Model):
    class Kind(models.TextChoices):
        GENERAL = "general", "无差别综合窗口"
        DOMAIN = "domain", "分领域综合窗口"
        OUTPUT = "output", "综合出件窗口"
        ASSISTANCE = "assistance", "帮代办窗口"
        CONSULTATION = "consultation", "咨询台"
        UNRESOLVED = "unresolved", "办不成事反映窗口"
        PRIORITY = "priority", "特殊群体绿色通道"

    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="windows", verbose_name="所属中心"
    )
    number = models.CharField("窗口号", max_length=16)
    name = models.CharField("名称", max_length=100, blank=True)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    zone = models.ForeignKey(
        Zone,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="windows",
        verbose_name="所在区域",
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="windows",
        verbose_name="所属部门（分领域）",
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "服务窗口"
        verbose_name_plural = "服务窗口"
        ordering = ["center", "number"]
        constraints = [
            models.UniqueConstraint(fields=["center", "number"], name="window_center_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}号窗口" + (f"（{self.name}）" if self.name else "")


class User(AbstractUser):
    """A staff or device account. Public profile fields serve 6.2.1 (staff disclosure)."""

    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    badge_no = models.CharField("工号/胸牌号", max_length=32, blank=True)
    post = models.CharField("岗位", max_length=50, blank=True)
    photo = models.ImageField("照片", upload_to="staff/", blank=True)
    is_public = models.BooleanField("在人员公示中显示", default=True)
    is_device = models.BooleanField("设备账号", default=False)
    home_window = models.ForeignKey(
        Window,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
        verbose_name="常驻窗口",
    )
    failed_logins = models.PositiveSmallIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    class Meta:
        verbose_name = "工作人员账号"
        verbose_name_plural = "工作人员账号"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    def is_locked(self, now: dt.datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


class RoleAssignment(models.Model):
    """One role of a user in one center (and, for approvers, one department)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="roles", verbose_name="人员"
    )
    role = models.CharField("角色", max_length=16, choices=Role.choices)
    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="role_assignments", verbose_name="中心"
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name="部门",
    )

    class Meta:
        verbose_name = "角色分配"
        verbose_name_plural = "角色分配"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "center", "department"], name="role_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.center}"


from govhall.org.models_hours import ExtendedService  # noqa: E402, F401
