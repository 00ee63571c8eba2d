"""Appendix A at the right moment: A.2.5 only when the matter is finished (即办件),
A.1.6 at the end of a visit and not when the clerk signs out."""

import re

from django.test import Client

from govhall.catalog.testing import make_item
from govhall.org.testing import make_department
from govhall.queueing import services


def _phrase(html: str) -> str:
    match = re.search(r'<div class="phrase" id="phrase">(.*?)</div>\s*\n', html, re.S)
    assert match, "no phrase box on the console"
    return re.sub(r"<[^>]+>", "", match.group(1))


def _visit(q, item=None) -> str:
    c = Client()
    c.force_login(q.clerk1)
    url = f"/window/{q.w1.pk}/action/"
    c.post(url, {"action": "open"})
    services.ticket_issue(center=q.center, category=q.cats["A"], item=item)
    c.post(url, {"action": "call"})
    return c.post(url, {"action": "finish"}, follow=True).content.decode()


def test_immediate_item_is_finished_at_the_window(q):
    dept = make_department(q.center, "MZ", "民政局")
    item = make_item(q.center, dept, "QT-JB-1", "证明开具", is_immediate=True)
    html = _visit(q, item)
    assert _phrase(html) == (
        "服务用语（附录A.2.5/A.1.6）您的业务已办理完毕，请您对我的服务作出评价。"
        "（评价后）感谢您的评价。请您带好随身物品。感谢您对我们工作的支持，欢迎您再来。"
    )
    assert "A001 服务结束。" in html and "今日接待 1 人" in html


def test_promised_item_is_only_taken_in(q):
    dept = make_department(q.center, "SCJG", "市场监督管理局")
    item = make_item(q.center, dept, "QT-CN-1", "食品经营许可", is_immediate=False)
    phrase = _phrase(_visit(q, item))
    assert phrase.startswith("服务用语（附录A.1.6）（接待完成，事项尚未办结")
    assert "已办理完毕" not in phrase.replace("请勿说“已办理完毕”", "")
    assert phrase.endswith("感谢您对我们工作的支持，欢迎您再来。")


def test_signing_out_says_no_goodbye(q):
    c = Client()
    c.force_login(q.clerk1)
    url = f"/window/{q.w1.pk}/action/"
    c.post(url, {"action": "open"})
    html = c.post(url, {"action": "close"}, follow=True).content.decode()
    assert "已签退。" in html
    assert (
        _phrase(html)
        == "服务用语（附录A.2.1）服务对象来到综合窗口时说：“您好，请坐，请问您办理什么事项？”"
    )
