"""Reads of the organisation, and the one place that decides what a user may see."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from govhall.org.models import Center, Department, Role, RoleAssignment, User, Window


@dataclass(frozen=True)
class Scope:
    """What one user may see: centers (with their sub-centers), departments, roles."""

    user_id: int | None
    is_admin: bool = False
    roles: frozenset[str] = frozenset()
    center_ids: frozenset[int] = frozenset()
    department_ids: frozenset[int] = frozenset()
    # Roles per center, for role checks at one center.
    center_roles: dict[int, frozenset[str]] = field(default_factory=dict)

    def has_role(self, role: str, center_id: int | None = None) -> bool:
        if self.is_admin:
            return True
        if center_id is None:
            return role in self.roles
        return role in self.center_roles.get(center_id, frozenset())

    def sees_center(self, center_id: int) -> bool:
        return self.is_admin or center_id in self.center_ids

    def filter(
        self,
        queryset: QuerySet,
        *,
        center_field: str = "center",
        department_field: str | None = None,
    ) -> QuerySet:
        """Restrict any queryset to this scope.

        Approvers (department-bound, no center-wide role) see only their departments' rows.
        """
        if self.is_admin:
            return queryset
        condition = Q(**{f"{center_field}__in": self.center_ids})
        if department_field and self.department_bound:
            condition &= Q(**{f"{department_field}__in": self.department_ids})
        return queryset.filter(condition)

    @property
    def department_bound(self) -> bool:
        center_wide = self.roles - {Role.APPROVER}
        return bool(self.department_ids) and not center_wide


def _descendants(center_ids: set[int]) -> set[int]:
    result = set(center_ids)
    frontier = set(center_ids)
    while frontier:
        frontier = (
            set(Center.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - result
        )
        result |= frontier
    return result


def scope_for(user: User | None) -> Scope:
    if user is None or not user.is_authenticated:
        return Scope(user_id=None)
    if user.is_superuser:
        return Scope(user_id=user.pk, is_admin=True, roles=frozenset({Role.ADMIN}))
    assignments = list(RoleAssignment.objects.filter(user=user))
    roles = frozenset(a.role for a in assignments)
    center_roles: dict[int, set[str]] = {}
    for a in assignments:
        center_roles.setdefault(a.center_id, set()).add(a.role)
    center_ids = _descendants({a.center_id for a in assignments})
    department_ids = frozenset(a.department_id for a in assignments if a.department_id)
    return Scope(
        user_id=user.pk,
        is_admin=False,
        roles=roles,
        center_ids=frozenset(center_ids),
        department_ids=department_ids,
        center_roles={k: frozenset(v) for k, v in center_roles.items()},
    )


def center_get(*, code: str) -> Center | None:
    return Center.objects.filter(code=code, is_active=True).first()


def centers_public() -> QuerySet[Center]:
    return Center.objects.filter(is_active=True).select_related("parent")


def departments_of(center: Center) -> QuerySet[Department]:
    return Department.objects.filter(center=center, is_active=True)


def windows_of(center: Center) -> QuerySet[Window]:
    return Window.objects.filter(center=center, is_active=True).select_related("zone")


def staff_public(center: Center | None = None) -> QuerySet[User]:
    qs = User.objects.filter(is_active=True, is_public=True, is_device=False).exclude(
        display_name=""
    )
    if center is not None:
        qs = qs.filter(roles__center=center)
    return qs.distinct().select_related("home_window").prefetch_related("roles__department")
