"""Reads of the organisation, and the one place that decides what a user may see."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.db.models.functions import Length

from govhall.core.caching import ProcessCache
from govhall.org.models import Center, Department, Role, RoleAssignment, User, Window

# Attribute on the user object holding its Scope for the rest of the request: the
# authentication middleware loads a fresh user object per request, so the memo lives exactly
# as long as one request (or one test holding the object; see invalidate_scope).
_SCOPE_ATTR = "_govhall_scope"


@dataclass(frozen=True)
class Scope:
    """What one user may see: centers (with their sub-centers), departments, roles.

    `is_admin` is true only for superusers (global administrators). Holders of the `admin`
    role administer their own centers and sub-centers: `has_role(Role.ADMIN, center_id)`.
    """

    user_id: int | None
    is_admin: bool = False
    roles: frozenset[str] = frozenset()
    # Every center the user may see (assigned centers and all their descendants).
    center_ids: frozenset[int] = frozenset()
    # Centers where the user holds a role other than approver (sees every department there).
    wide_center_ids: frozenset[int] = frozenset()
    # Departments of the user's approver assignments.
    department_ids: frozenset[int] = frozenset()
    # Roles per center, inherited down the tree, for role checks at one center.
    center_roles: dict[int, frozenset[str]] = field(default_factory=dict)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def has_role(self, role: str, center_id: int | None = None) -> bool:
        if self.is_admin:
            return True
        if center_id is None:
            return role in self.roles
        return role in self.center_roles.get(center_id, frozenset())

    def has_any_role(self, roles: set[str] | frozenset[str], center_id: int | None = None) -> bool:
        return any(self.has_role(r, center_id) for r in roles)

    def administers(self, center_id: int) -> bool:
        """Superusers everywhere; `admin` role holders in their centers and sub-centers."""
        return self.has_role(Role.ADMIN, center_id)

    def centers_with_role(self, roles: set[str] | frozenset[str]) -> frozenset[int]:
        """The centers where the user holds one of `roles` (inherited down the tree): for
        work that belongs to a role, not to every role the user holds somewhere."""
        return frozenset(c for c, held in self.center_roles.items() if held & set(roles))

    def sees_center(self, center_id: int) -> bool:
        return self.is_admin or center_id in self.center_ids

    def centers(self) -> QuerySet[Center]:
        qs = Center.objects.filter(is_active=True)
        return qs if self.is_admin else qs.filter(id__in=self.center_ids)

    def filter(
        self,
        queryset: QuerySet,
        *,
        center_field: str = "center",
        department_field: str | None = None,
    ) -> QuerySet:
        """Restrict any queryset to this scope.

        With `department_field`, approvers see only their departments' rows, except in
        centers where they also hold a center-wide role (clerk, manager, …).
        """
        if self.is_admin:
            return queryset
        if not self.is_authenticated:
            return queryset.none()
        if department_field is None:
            return queryset.filter(**{f"{center_field}__in": self.center_ids})
        condition = Q(**{f"{center_field}__in": self.wide_center_ids})
        if self.department_ids:
            condition |= Q(**{f"{department_field}__in": self.department_ids}) & Q(
                **{f"{center_field}__in": self.center_ids}
            )
        return queryset.filter(condition)

    def sees(self, center_id: int, department_id: int | None = None) -> bool:
        """One row, in memory, by the rule of filter(..., department_field=...): a center-wide
        role sees every row of its centers, an approver only their departments' rows."""
        if self.is_admin:
            return True
        if center_id in self.wide_center_ids:
            return True
        return department_id in self.department_ids and center_id in self.center_ids

    @property
    def department_bound(self) -> bool:
        """Only approver assignments: department rows only."""
        return not self.is_admin and self.roles <= {Role.APPROVER} and bool(self.roles)


def _descendant_map(root_ids: set[int]) -> dict[int, int]:
    """Every center under the roots (roots included) → the root it descends from."""
    owner = {cid: cid for cid in root_ids}
    frontier = set(root_ids)
    while frontier:
        children = Center.objects.filter(parent_id__in=frontier).values_list("id", "parent_id")
        frontier = set()
        for child_id, parent_id in children:
            if child_id not in owner:
                owner[child_id] = owner[parent_id]
                frontier.add(child_id)
    return owner


def _descendants(center_ids: set[int]) -> set[int]:
    return set(_descendant_map(center_ids))


def _build_scope(user: User) -> Scope:
    if user.is_superuser:
        return Scope(user_id=user.pk, is_admin=True, roles=frozenset({Role.ADMIN}))
    if not user.is_active:
        return Scope(user_id=user.pk)
    assignments = list(
        RoleAssignment.objects.filter(user=user, center__is_active=True).values_list(
            "role", "center_id", "department_id"
        )
    )
    roots: dict[int, set[str]] = {}
    for role, center_id, _ in assignments:
        roots.setdefault(center_id, set()).add(role)
    center_roles: dict[int, set[str]] = {}
    wide: set[int] = set()
    # A role held at a center holds in every center below it (a city manager manages its
    # counties); each root is expanded separately so roles from different roots merge.
    for root, root_roles in roots.items():
        for center_id in _descendants({root}):
            center_roles.setdefault(center_id, set()).update(root_roles)
            if root_roles - {Role.APPROVER}:
                wide.add(center_id)
    return Scope(
        user_id=user.pk,
        is_admin=False,
        roles=frozenset(role for role, _, _ in assignments),
        center_ids=frozenset(center_roles),
        wide_center_ids=frozenset(wide),
        department_ids=frozenset(d for role, _, d in assignments if d and role == Role.APPROVER),
        center_roles={k: frozenset(v) for k, v in center_roles.items()},
    )


# Scopes by user id, shared by this process's requests for a few seconds: every staff
# request needs one, and building it costs two queries. Role, center and account changes
# take effect at once in the process that made them, elsewhere within SCOPE_CACHE_SECONDS.
_scopes = ProcessCache(
    "scopes", seconds="SCOPE_CACHE_SECONDS", clear_on=(RoleAssignment, Center, User)
)


def scope_for(user: User | None) -> Scope:
    """The user's scope, computed once per user object (i.e. once per request) and shared
    across requests of this process for SCOPE_CACHE_SECONDS."""
    if user is None or not user.is_authenticated:
        return Scope(user_id=None)
    cached = getattr(user, _SCOPE_ATTR, None)
    if cached is None:
        # The user row's own flags are checked too: the object in hand is fresh.
        cached = _scopes.get(
            user.pk,
            lambda: _build_scope(user),
            still_valid=lambda scope: _flags_match(scope, user),
        )
        setattr(user, _SCOPE_ATTR, cached)
    return cached


def _flags_match(scope: Scope, user: User) -> bool:
    if user.is_superuser:
        return scope.is_admin
    return not scope.is_admin and (user.is_active or not scope.roles)


def invalidate_scope(user: User | None = None) -> None:
    """Forget memoised scopes (after a role change): the object's and the shared ones."""
    if user is not None and hasattr(user, _SCOPE_ATTR):
        delattr(user, _SCOPE_ATTR)
    _scopes.clear()


def center_get(*, code: str) -> Center | None:
    return Center.objects.filter(code=code, is_active=True).first()


def center_by_id(center_id: int) -> Center | None:
    """The center of that primary key, active or not (e.g. the sender of a stored message)."""
    return Center.objects.filter(pk=center_id).first()


def centers_public() -> QuerySet[Center]:
    return Center.objects.filter(is_active=True).select_related("parent").order_by("code")


def departments_of(center: Center) -> QuerySet[Department]:
    return Department.objects.filter(center=center, is_active=True)


def windows_of(center: Center) -> QuerySet[Window]:
    return Window.objects.filter(center=center, is_active=True).select_related("zone")


def staff_public(center: Center | None = None) -> QuerySet[User]:
    """Staff shown in the public directory (6.2.1): public, named, not devices."""
    qs = User.objects.filter(is_active=True, is_public=True, is_device=False).exclude(
        display_name=""
    )
    if center is not None:
        qs = qs.filter(pk__in=RoleAssignment.objects.filter(center=center).values("user_id"))
    return (
        qs.select_related("home_window", "home_window__department")
        .prefetch_related("roles__department")
        # Window numbers are text: order "2" before "10"; staff without a window last.
        .order_by(
            Length("home_window__number").asc(nulls_last=True),
            "home_window__number",
            "badge_no",
            "username",
        )
    )


def staff_department(user: User, center: Center | None = None) -> Department | None:
    """The department a staff member is shown under: their window's, else their role's."""
    if user.home_window_id and user.home_window.department_id:
        return user.home_window.department
    for assignment in user.roles.all():
        if assignment.department_id and (center is None or assignment.center_id == center.id):
            return assignment.department
    return None
