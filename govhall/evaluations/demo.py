"""Demo evaluations for the demo center: ratings over three months from every channel, a
rectification in each state, a complaint, a 办不成事 report, a pending appeal and a survey
with answers (idempotent: skipped when the center already has ratings)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from govhall.cases import selectors as case_selectors
from govhall.cases.models import Case
from govhall.core import workdays
from govhall.evaluations import services
from govhall.evaluations.models import EvaluationSettings, Rating, Survey, SurveyQuestion
from govhall.org.demo import demo_center
from govhall.org.models import User, Window

COMMENTS = {
    5: ["服务热情，一次办好", "工作人员很耐心", ""],
    4: ["办理很快", ""],
    3: ["等候时间有点长", ""],
    2: ["材料要求没有一次说清楚"],
    1: ["窗口人员态度生硬"],
}
# Level per (window index, k): mostly good, a few bad, so the ranking differs by window.
PATTERN = [5, 5, 4, 5, 3, 4, 5, 2, 5, 4, 1, 5]
CHANNELS = ["device", "qr", "sms", "online", "device", "box"]


def _moment(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_default_timezone())


def _rate(kind: str, pk: int, level: int, channel: str, now: dt.datetime, n: int, **kw):
    comment = COMMENTS[level][n % len(COMMENTS[level])]
    return services.rating_submit(
        kind=kind, matter_id=pk, channel=channel, level=level, comment=comment, now=now, **kw
    )


def load(stdout) -> None:
    center = demo_center()
    if Rating.objects.filter(center=center).exists():
        stdout.write("好差评演示数据已存在，跳过。")
        return
    manager = User.objects.filter(username="manager1").first()
    clerks = list(User.objects.filter(username__startswith="clerk").order_by("username"))
    if manager is None or not clerks:
        stdout.write("好差评演示数据：缺少演示账号，跳过。")
        return
    EvaluationSettings.objects.get_or_create(center=center, defaults={"step_days": 5})
    window1 = Window.objects.filter(center=center, number="1").first()
    User.objects.filter(username="evaluator1", home_window__isnull=True).update(home_window=window1)
    today = timezone.localdate()
    made = 0
    for w, clerk in enumerate(clerks):
        for k in range(6):
            day = workdays.add_workdays(today, -(k * 9 + w + 2))
            level = PATTERN[(w * 5 + k) % len(PATTERN)]
            kind, pk = ("staff", clerk.pk) if k % 2 else ("window", clerk.home_window_id)
            if pk is None:
                continue
            _rate(kind, pk, level, CHANNELS[(w + k) % len(CHANNELS)], _moment(day, 10 + k), k)
            made += 1
    finished = Case.objects.filter(center=center, status__in=case_selectors.FINISHED)
    case = finished.order_by("id").first()
    if case is not None:
        _rate("case", case.pk, 5, "sms", timezone.now(), 0)
        made += 1
    # A real-name 差评 in each state of the rectification loop.
    steps = ["verifying", "rectifying", "callback", "closing", "closed"]
    for n, target in enumerate(steps):
        opened = _moment(workdays.add_workdays(today, -(8 - n)), 11)
        rating = _rate(
            "staff", clerks[n % len(clerks)].pk, 1 + n % 2, "online", opened, 0,
            real_name=True, name="王先生", phone=f"1390000{n:04d}",
        )  # fmt: skip
        rect = rating.rectification
        later = opened + dt.timedelta(days=1)
        if target != "verifying":
            rect = services.rectification_verify(
                rect=rect, founded=True, note="调取窗口录像，情况属实", actor=manager, now=later
            )
        if target in ("callback", "closing", "closed"):
            rect = services.rectification_rectify(
                rect=rect, measures="对窗口人员进行服务规范培训并通报", responsible="林晓峰",
                actor=manager, now=later,
            )  # fmt: skip
        if target in ("closing", "closed"):
            rect = services.rectification_callback(
                rect=rect, result="已电话回访，服务对象对整改表示认可", satisfaction=4,
                actor=manager, now=later,
            )  # fmt: skip
        if target == "closed":
            services.rectification_close(rect=rect, note="整改完成", actor=manager, now=later)
        made += 1
    appealed = (
        Rating.objects.filter(center=center, level__lte=2, staff__isnull=False)
        .order_by("id")
        .first()
    )
    if appealed is not None:
        services.appeal_file(
            rating=appealed, reason="该评价人未在本窗口办理业务，疑为恶意评价",
            evidence="窗口录像、叫号记录", actor=appealed.staff,
        )  # fmt: skip
    services.complaint_create(
        center=center, channel="box", content="大厅饮水机没有热水", actor=manager
    )
    services.blocked_report_create(
        center=center, matter="异地医保备案", reason="系统提示参保地未开通该业务",
        outcome="已协调医保局线下受理", real_name=True, name="李女士", phone="13900001234",
        actor=manager,
    )  # fmt: skip
    _survey(center)
    stdout.write(f"好差评演示数据：新建 {made} 条评价及各状态整改（{center.name}）。")


def _survey(center) -> None:
    survey = Survey.objects.create(
        center=center, title="政务服务大厅满意度调查", intro="请花一分钟告诉我们您的感受。",
        created_at=timezone.now(), status="open",
    )  # fmt: skip
    questions = [
        ("single", "您本次的等候时间", ["10分钟以内", "10-30分钟", "30分钟以上"]),
        ("multiple", "您认为大厅需要改进的方面", ["座椅", "指引标识", "饮水", "自助设备"]),
        ("scale", "您对大厅环境的总体评价", []),
        ("text", "其他意见建议", []),
    ]
    made = []
    for n, (kind, text, options) in enumerate(questions):
        question = SurveyQuestion(survey=survey, position=n + 1, kind=kind, text=text)
        question.options, question.required = options, kind != "text"
        question.save()
        made.append(question)
    answers = [
        ("10分钟以内", ["饮水"], 5, "环境很好"),
        ("10-30分钟", ["座椅", "饮水"], 4, ""),
        ("10分钟以内", ["指引标识"], 4, "希望多一些引导人员"),
        ("30分钟以上", ["座椅"], 3, ""),
    ]
    for a in answers:
        values = {str(q.pk): v for q, v in zip(made, a, strict=True)}
        services.survey_respond(survey=survey, answers=values)
