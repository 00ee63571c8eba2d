"""State changes of the organisation: every one audited with log_action."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from govhall.core.audit import log_action
from govhall.core.errors import Forbidden, InvalidInput
from govhall.org.models import Center, Department, Role, RoleAssignment, User
from govhall.org.selectors import invalidate_scope, scope_for

# Roles that need the Django admin site (they manage people, windows, centers there).
ADMIN_SITE_ROLES = {Role.ADMIN, Role.MANAGER}


def _require_admin_of(actor: User | None, center: Center) -> None:
    # actor=None: a management command or the demo loader acting as the system.
    if actor is not None and not scope_for(actor).administers(center.pk):
        raise Forbidden("您无权管理该中心的人员。", field="center")


@transaction.atomic
def user_unlock(*, user: User, actor: User | None, now: dt.datetime | None = None) -> User:
    """Lift a login lock and clear the failure count."""
    now = now or timezone.now()
    was_locked = user.is_locked(now)
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    user.failed_logins, user.locked_until = 0, None
    log_action(
        actor=actor,
        action="govhall.org.user.unlocked",
        obj=user,
        data={"was_locked": was_locked},
        now=now,
    )
    return user


@transaction.atomic
def role_assign(
    *,
    user: User,
    role: str,
    center: Center,
    department: Department | None = None,
    actor: User | None,
    now: dt.datetime | None = None,
) -> RoleAssignment:
    """Give `user` a role at `center` (approvers: in one department of that center)."""
    if role not in Role.values:
        raise InvalidInput("未知的角色。", field="role")
    if role == Role.APPROVER and department is None:
        raise InvalidInput("审批人员须指定所属部门。", field="department")
    if department is not None and department.center_id != center.pk:
        raise InvalidInput("部门不属于该中心。", field="department")
    _require_admin_of(actor, center)
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, center=center, department=department
    )
    if role in ADMIN_SITE_ROLES and not user.is_staff:
        User.objects.filter(pk=user.pk).update(is_staff=True)
        user.is_staff = True
    if created:
        log_action(
            actor=actor,
            action="govhall.org.role.assigned",
            obj=assignment,
            data={
                "user": user.username,
                "role": role,
                "center": center.code,
                "department": department.code if department else None,
            },
            now=now,
        )
    invalidate_scope(user)
    return assignment


@transaction.atomic
def role_revoke(
    *, assignment: RoleAssignment, actor: User | None, now: dt.datetime | None = None
) -> None:
    _require_admin_of(actor, assignment.center)
    data = {
        "user": assignment.user.username,
        "role": assignment.role,
        "center": assignment.center.code,
        "department": assignment.department.code if assignment.department else None,
    }
    log_action(actor=actor, action="govhall.org.role.revoked", obj=assignment, data=data, now=now)
    assignment.delete()
    invalidate_scope(assignment.user)
