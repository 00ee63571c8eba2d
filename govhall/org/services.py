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


def may_manage_user(
    actor: User | None, user: User, roles: frozenset[str] = frozenset({Role.ADMIN})
) -> bool:
    """Whether `actor` may change `user`'s account: the system and superusers always; a
    holder of one of `roles` (center admins) only non-superusers whose every role lies in
    centers where they hold it (a role elsewhere would hand them that other center)."""
    if actor is None or actor.is_superuser:
        return True
    if user.is_superuser:
        return False
    if user.pk == actor.pk:
        return True
    scope = scope_for(actor)
    centers = set(RoleAssignment.objects.filter(user=user).values_list("center_id", flat=True))
    if not centers:
        return scope.has_role(Role.ADMIN)
    return all(scope.has_any_role(roles, center_id) for center_id in centers)


# Account fields whose change hands over or cuts off access: changed only by
# user_account_change, each change audited.
ACCOUNT_FIELDS = ("password", "is_active", "is_staff", "is_superuser", "phone")


@transaction.atomic
def user_account_change(
    *,
    user: User,
    actor: User | None,
    password: str | None = None,
    is_active: bool | None = None,
    is_staff: bool | None = None,
    is_superuser: bool | None = None,
    phone: str | None = None,
    disable_password: bool = False,
    now: dt.datetime | None = None,
) -> User:
    """Change another user's password, activity, admin-site flags or phone, audited.

    Only superusers (or the system) hand out is_staff / is_superuser; a center admin
    changes only accounts of their own centers (may_manage_user)."""
    if not may_manage_user(actor, user):
        raise Forbidden("您无权修改该账号。", field="user")
    flags = {"is_staff": is_staff, "is_superuser": is_superuser}
    if any(v is not None and getattr(user, f) != v for f, v in flags.items()) and not (
        actor is None or actor.is_superuser
    ):
        raise Forbidden("只有超级管理员可以授予后台权限。", field="is_superuser")
    wanted = {
        "is_active": is_active,
        "is_staff": is_staff,
        "is_superuser": is_superuser,
        "phone": phone,
    }
    changed = [f for f, v in wanted.items() if v is not None and getattr(user, f) != v]
    for name in changed:
        setattr(user, name, wanted[name])
    if password is not None or disable_password:
        if disable_password:
            user.set_unusable_password()
        else:
            user.set_password(password)
        changed.append("password")
    if not changed:
        return user
    user.save(update_fields=changed)
    data: dict = {"fields": sorted(changed, key=ACCOUNT_FIELDS.index)}
    # Flags are recorded with their new value; the password and phone are not.
    data.update({f: wanted[f] for f in ("is_active", "is_staff", "is_superuser") if f in changed})
    log_action(actor=actor, action="govhall.org.user.account_changed", obj=user, data=data, now=now)
    invalidate_scope(user)
    return user


@transaction.atomic
def user_unlock(*, user: User, actor: User | None, now: dt.datetime | None = None) -> User:
    """Lift a login delay and clear the failure count: managers and admins of every
    center the user works in."""
    now = now or timezone.now()
    if not may_manage_user(actor, user, frozenset({Role.ADMIN, Role.MANAGER})):
        raise Forbidden("您无权解除该账号的锁定。", field="user")
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
    user = assignment.user
    still_admin_site = RoleAssignment.objects.filter(user=user, role__in=ADMIN_SITE_ROLES).exists()
    if user.is_staff and not user.is_superuser and not still_admin_site:
        # No admin-site role left: the admin site closes for them too.
        User.objects.filter(pk=user.pk).update(is_staff=False)
        user.is_staff = False
    invalidate_scope(user)
