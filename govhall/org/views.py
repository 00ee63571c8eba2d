"""Staff sign-in, sign-out, password change and the workbench (thin views)."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse, reverse_lazy

from govhall.core.audit import log_action
from govhall.org.forms import StaffAuthenticationForm
from govhall.org.models import RoleAssignment
from govhall.org.selectors import scope_for
from govhall.org.workbench import Screen, screens_for


class StaffLoginView(auth_views.LoginView):
    template_name = "org/login.html"
    authentication_form = StaffAuthenticationForm
    redirect_authenticated_user = True


class StaffLogoutView(auth_views.LogoutView):
    pass


class StaffPasswordChangeView(auth_views.PasswordChangeView):
    template_name = "org/password_change.html"
    success_url = reverse_lazy("org:workbench")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            log_action(
                actor=self.request.user,
                action="govhall.org.user.password_changed",
                obj=self.request.user,
            )
        messages.success(self.request, "密码已修改。")
        return response


@dataclass
class ScreenLink:
    screen: Screen
    url: str


def _group_of(screen: Screen) -> str:
    if screen.group:
        return screen.group
    namespace = screen.url_name.split(":", 1)[0] if ":" in screen.url_name else ""
    if namespace == "admin":
        return "系统管理"
    try:
        return apps.get_app_config(namespace).verbose_name
    except LookupError:
        return "其他"


def _grouped_links(screens: list[Screen]) -> list[tuple[str, list[ScreenLink]]]:
    groups: dict[str, list[ScreenLink]] = {}
    for screen in screens:
        try:
            url = reverse(screen.url_name)
        except NoReverseMatch:
            continue  # the app offering it is not installed here
        groups.setdefault(_group_of(screen), []).append(ScreenLink(screen, url))
    return list(groups.items())


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    assignments = (
        RoleAssignment.objects.filter(user=request.user)
        .select_related("center", "department")
        .order_by("center__code", "role")
    )
    groups = _grouped_links(screens_for(scope.roles, scope.is_admin))
    return render(
        request,
        "org/workbench.html",
        {"scope": scope, "assignments": assignments, "groups": groups},
    )
