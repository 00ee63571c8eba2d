"""17.10: the admin speaks Chinese — queue events, audit actions, user creation,
permission names, the title; sent SMS records are not made by hand."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction

from govhall.core.audit import log_action
from govhall.org.testing import log_in_browser, make_user
from govhall.queueing import services
from govhall.queueing.tests.conftest import make_queue


def _cells(html: str, column: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(rf'<td class="field-{column}[^"]*">(.*?)</td>', html, re.S)
    ]


def _issue_and_call(q):
    services.window_open(window=q.w1, actor=q.clerk1)
    services.ticket_issue(center=q.center, category=q.cats["A"])
    services.window_call_next(window=q.w1, actor=q.clerk1)


@pytest.mark.django_db
def test_ticket_events_in_chinese(admin_client):
    _issue_and_call(make_queue())
    html = admin_client.get("/admin/queueing/ticketevent/").content.decode()
    assert _cells(html, "action_name") == ["取号", "叫号"]
    assert _cells(html, "from_name") == ["—", "等候中"]
    assert _cells(html, "to_name") == ["等候中", "已叫号"]
    for header in ("排队号", "动作", "原状态", "新状态", "窗口", "操作人", "时间"):
        assert f">{header}</a>" in html or f">{header}</span>" in html, header
    table = html[html.index('id="result_list"') : html.index("</thead>")]
    assert not re.search(r">\s*(Ticket|Action|From status|To status)\s*<", table, re.I)


@pytest.mark.django_db
def test_audit_actions_and_actors_in_chinese(admin_client):
    _issue_and_call(make_queue())
    with transaction.atomic():
        log_action(actor=None, action="govhall.org.user.unlocked", object_type="org.user")
    html = admin_client.get("/admin/core/auditentry/?o=-3").content.decode()
    actions = _cells(html, "action_name")
    assert "排队叫号 · 排队号叫号" in actions and "组织与人员 · 用户解除锁定" in actions
    assert not [a for a in actions if a.startswith("govhall.")]
    assert "系统（无登录人员）" in _cells(html, "actor_name")
    assert "待封存（尚未编号）" in _cells(html, "sequence")
    assert "待封存" not in "".join(_cells(html, "actor_name"))
    assert {"排队号", "服务窗口", "工作人员账号"} <= set(_cells(html, "object_name"))
    assert all(not name.isascii() for name in _cells(html, "object_name"))


@pytest.mark.django_db
def test_user_form_permissions_and_title_in_chinese(admin_client):
    assert not Permission.objects.filter(name__startswith="Can ").exists()
    assert Permission.objects.get(codename="add_ticketevent").name == "可新增排队号事件"
    assert Permission.objects.get(codename="view_logentry").name == "可查看日志记录"
    html = admin_client.get("/admin/org/user/add/").content.decode()
    assert "After you" not in html and "保存后即可填写其他信息" in html
    index = admin_client.get("/admin/").content.decode()
    assert "govhall" not in re.search(r"<title>(.*?)</title>", index, re.S).group(1)
    assert "政务服务中心管理后台" in index


@pytest.mark.django_db
def test_sent_sms_cannot_be_added(admin_client):
    assert admin_client.get("/admin/notifications/sentsms/add/").status_code == 403
    html = admin_client.get("/admin/notifications/sentsms/").content.decode()
    assert "/admin/notifications/sentsms/add/" not in html
    assert "来修改" not in html and "查看" in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_lists_screenshots(live_server, page, screenshot):
    page.context.set_extra_http_headers({"X-Forwarded-Proto": "https"})
    _issue_and_call(make_queue("QT-ADM"))
    with transaction.atomic():
        log_action(actor=None, action="govhall.org.user.unlocked", object_type="org.user")
    admin = make_user("admin_zh", superuser=True)
    log_in_browser(admin, live_server.url, page.context)
    for name, url in [
        ("admin-ticket-events", "/admin/queueing/ticketevent/"),
        ("admin-audit", "/admin/core/auditentry/"),
        ("admin-user-add", "/admin/org/user/add/"),
        ("admin-group-add", "/admin/auth/group/add/"),
        ("admin-sent-sms", "/admin/notifications/sentsms/"),
    ]:
        page.goto(live_server.url + url)
        screenshot(page, name)
        assert "govhall" not in page.title()


@pytest.mark.django_db
def test_admin_pickers_in_chinese(admin_client):
    catalog = admin_client.get("/admin/jsi18n/").content.decode()
    for text in ("选中要添加的%s，然后点击“选择”箭头。", "全选%s", "全部移除%s"):
        assert json_escaped(text) in catalog, text


def json_escaped(text: str) -> str:
    import json

    return json.dumps(text)[1:-1]
