"""Staff screen: phone-call tasks (6.3.4 电话提醒)."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from govhall.core.audit import log_action
from govhall.core.errors import DomainError
from govhall.core.errors import Forbidden as ForbiddenError
from govhall.notifications import selectors
from govhall.notifications.models import PhoneCallTask
from govhall.notifications.phrases import library_phrase
from govhall.notifications.services import call_task_record_outcome


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="通话结果", choices=PhoneCallTask.Outcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="备注", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


def _require_role(request: HttpRequest) -> None:
    if not selectors.may_handle_calls(request.user):
        raise ForbiddenError("您没有处理电话通知任务的权限。")


@login_required
def call_list(request: HttpRequest) -> HttpResponse:
    try:
        _require_role(request)
    except ForbiddenError as exc:
        return render(request, "notifications/forbidden.html", {"error": exc.message}, status=403)
    show_done = request.GET.get("done") == "1"
    status = PhoneCallTask.Status.DONE if show_done else PhoneCallTask.Status.OPEN
    tasks = list(selectors.call_tasks_for(request.user, status=status)[:200])
    alerts = list(selectors.budget_alerts_for(request.user)[:20])
    names = selectors.template_names() if alerts else {}
    for alert in alerts:
        alert.template_name = names.get(alert.template, alert.template)
    return render(
        request,
        "notifications/call_list.html",
        {"tasks": tasks, "show_done": show_done, "alerts": alerts},
    )


@login_required
def call_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    try:
        _require_role(request)
    except ForbiddenError as exc:
        return render(request, "notifications/forbidden.html", {"error": exc.message}, status=403)
    task = selectors.call_task_get(request.user, task_id)
    if task is None:
        raise Http404("电话通知任务不存在")
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call_task_record_outcome(
                task_id=task.pk,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已记录通话结果。")
            return redirect("notifications:calls")
    elif request.method == "GET" and task.phone:
        # The full number is shown so staff can dial it; each such read is audited.
        with transaction.atomic():
            log_action(
                actor=request.user,
                action="govhall.notifications.call_task.phone_viewed",
                obj=task,
            )
    return render(
        request,
        "notifications/call_detail.html",
        {
            "task": task,
            "form": form,
            "greeting": phone_greeting(task, request.user),
            "script": LEGACY_GREETING.sub("", task.script, count=1),
        },
    )


# Scripts stored before the greeting moved onto this page began with their own.
LEGACY_GREETING = re.compile(r"^您好，这里是[^。]*。")


def phone_greeting(task: PhoneCallTask, user) -> str:
    """A.3.5: "您好，我是XX政务服务中心XX窗口" — the task's center and the caller's window
    (their post when they have no window in that center)."""
    center = task.center.name if task.center_id else "政务服务中心"
    window = user.home_window
    if window is not None and task.center_id and window.center_id != task.center_id:
        window = None
    found = library_phrase("outgoing_call", {"center": center, "window": str(window or user.post)})
    return found[1] if found else f"您好，我是{center}{window or user.post}。"
