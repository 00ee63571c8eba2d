"""The managers' survey editor: create and edit with the form and formset, publish, the
public link and QR code, close; bad input names the field; other centers get 404."""

import pytest
from django.test import Client

from govhall.core.errors import Conflict, Forbidden, InvalidTransition
from govhall.core.testing import qr_texts
from govhall.evaluations import services
from govhall.evaluations.models import Survey, SurveyEvent, SurveyResponse
from govhall.evaluations.tests.conftest import WORKDAY

pytestmark = pytest.mark.django_db
SITE = "https://zwfw.example.gov.cn"


def form_data(title="大厅环境满意度调查", questions=(), **extra):
    data = {"title": title, "intro": "一分钟即可完成", "q-TOTAL_FORMS": str(len(questions))}
    data.update({"q-INITIAL_FORMS": "0", "q-MIN_NUM_FORMS": "0", "q-MAX_NUM_FORMS": "1000"})
    for n, q in enumerate(questions):
        for key, value in q.items():
            data[f"q-{n}-{key}"] = value
    data.update(extra)
    return data


QUESTIONS = [
    {"kind": "single", "text": "等候时间", "options": "10分钟以内\n10-30分钟\n30分钟以上",
     "required": "on", "ORDER": "2"},
    {"kind": "multiple", "text": "需要改进的方面", "options": "座椅\n饮水\n座椅", "ORDER": "1"},
    {"kind": "scale", "text": "总体评价", "required": "on", "ORDER": "3"},
    {"kind": "text", "text": "其他建议", "ORDER": "4"},
    {"kind": "text", "text": "删掉的题", "ORDER": "5", "DELETE": "on"},
]  # fmt: skip


@pytest.fixture
def manager(h):
    client = Client()
    client.force_login(h.manager)
    return client


def test_manager_creates_edits_publishes_and_closes_a_survey(h, manager, settings):
    settings.SITE_URL = SITE
    r = manager.post(
        f"/evaluations/surveys/new/?center={h.center.code}", form_data(questions=QUESTIONS)
    )
    assert r.status_code == 302, r.content.decode()
    survey = Survey.objects.get()
    assert (survey.center, survey.status) == (h.center, "draft")
    questions = list(survey.questions.order_by("position"))
    assert [(q.kind, q.text) for q in questions] == [
        ("multiple", "需要改进的方面"), ("single", "等候时间"), ("scale", "总体评价"),
        ("text", "其他建议"),
    ]  # fmt: skip
    assert questions[0].options == ["座椅", "饮水"] and not questions[0].required
    assert questions[1].options == ["10分钟以内", "10-30分钟", "30分钟以上"]
    assert questions[2].options == [] and questions[2].required
    # A draft is not public yet.
    public = Client()
    assert public.get(f"/s/{survey.token}/").status_code == 404
    page = manager.get(f"/evaluations/surveys/{survey.pk}/edit/").content.decode()
    assert "发布问卷" in page and "需要改进的方面" in page
    # Edit while unanswered: the questions are replaced.
    edited = form_data(title="大厅环境调查（修订）", questions=QUESTIONS[2:4])
    assert manager.post(f"/evaluations/surveys/{survey.pk}/edit/", edited).status_code == 302
    survey.refresh_from_db()
    assert survey.title == "大厅环境调查（修订）" and survey.questions.count() == 2
    # Publish: the public link and its QR code take answers.
    assert manager.post(f"/evaluations/surveys/{survey.pk}/publish/").status_code == 302
    survey.refresh_from_db()
    assert survey.status == "open"
    png = manager.get(f"/evaluations/surveys/{survey.pk}/qr.png")
    assert qr_texts(png.content) == [f"{SITE}/s/{survey.token}/"]
    scale, text = survey.questions.order_by("position")
    answer = {f"q{scale.pk}": "4", f"q{text.pk}": "<b>多放绿植</b>"}
    assert public.post(f"/s/{survey.token}/", answer).status_code == 200
    assert SurveyResponse.objects.get().answers == {
        str(scale.pk): 4,
        str(text.pk): "<b>多放绿植</b>",
    }
    results = manager.get(f"/evaluations/surveys/{survey.pk}/").content.decode()
    assert "&lt;b&gt;多放绿植&lt;/b&gt;" in results and "<b>多放绿植" not in results
    # Answered: the questions can no longer change (409 naming why).
    r = manager.post(f"/evaluations/surveys/{survey.pk}/edit/", form_data(questions=QUESTIONS[2:3]))
    assert r.status_code == 409 and "已有答卷" in r.content.decode()
    assert survey.questions.count() == 2
    # Close: the public page says so and takes no answer.
    assert manager.post(f"/evaluations/surveys/{survey.pk}/close/").status_code == 302
    survey.refresh_from_db()
    assert survey.status == "closed"
    assert "该问卷已结束" in public.get(f"/s/{survey.token}/").content.decode()
    assert public.post(f"/s/{survey.token}/", answer).status_code == 422
    assert SurveyResponse.objects.count() == 1
    actions = list(SurveyEvent.objects.filter(survey=survey).values_list("action", "to_status"))
    assert actions == [("published", "open"), ("closed", "closed")]
    listing = manager.get(f"/evaluations/surveys/?center={h.center.code}").content.decode()
    assert "大厅环境调查（修订）" in listing and "已结束" in listing


@pytest.mark.parametrize(
    ("questions", "field"),
    [
        ([], "questions"),
        ([{"kind": "single", "text": "等候时间", "options": "只有一个"}], "questions[0].options"),
        ([{"kind": "text", "text": "好"}, {"kind": "multiple", "text": "改进", "options": ""}],
         "questions[1].options"),
    ],
)  # fmt: skip
def test_bad_survey_input_names_the_field(h, manager, questions, field):
    r = manager.post(
        f"/evaluations/surveys/new/?center={h.center.code}", form_data(questions=questions)
    )
    assert r.status_code == 422 and field in r.content.decode()
    assert Survey.objects.count() == 0


def test_form_errors_are_shown_and_nothing_is_saved(h, manager):
    bad = form_data(title="", questions=[{"kind": "nope", "text": ""}])
    r = manager.post(f"/evaluations/surveys/new/?center={h.center.code}", bad)
    assert r.status_code == 422 and "请检查标红的内容" in r.content.decode()
    assert Survey.objects.count() == 0


def test_other_center_and_non_managers(h, manager):
    manager.post(
        f"/evaluations/surveys/new/?center={h.center.code}", form_data(questions=QUESTIONS)
    )
    survey = Survey.objects.get()
    other = Client()
    other.force_login(h.other_manager)
    for url in ("edit/", "qr.png"):
        assert other.get(f"/evaluations/surveys/{survey.pk}/{url}").status_code == 404
    assert other.post(f"/evaluations/surveys/{survey.pk}/publish/").status_code == 404
    assert "大厅环境" not in other.get("/evaluations/surveys/").content.decode()
    clerk = Client()
    clerk.force_login(h.clerk1)
    assert clerk.get("/evaluations/surveys/").status_code == 403
    assert clerk.get(f"/evaluations/surveys/{survey.pk}/edit/").status_code == 404
    survey.refresh_from_db()
    assert survey.status == "draft"
    with pytest.raises(Forbidden):
        services.survey_publish(survey=survey, actor=h.clerk1, now=WORKDAY)


def test_wrong_state_is_409(h):
    survey = services.survey_save(
        center=h.center, title="问卷", questions=[{"kind": "scale", "text": "满意吗"}],
        actor=h.manager, now=WORKDAY,
    )  # fmt: skip
    with pytest.raises(InvalidTransition):
        services.survey_close(survey=survey, actor=h.manager, now=WORKDAY)  # draft
    survey = services.survey_publish(survey=survey, actor=h.manager, now=WORKDAY)
    with pytest.raises(InvalidTransition):
        services.survey_publish(survey=survey, actor=h.manager, now=WORKDAY)
    survey = services.survey_close(survey=survey, actor=h.manager, now=WORKDAY)
    with pytest.raises(Conflict):
        services.survey_save(
            survey=survey, center=h.center, title="改", actor=h.manager, now=WORKDAY,
            questions=[{"kind": "scale", "text": "满意吗"}],
        )  # fmt: skip
    assert services.survey_publish(survey=survey, actor=h.manager, now=WORKDAY).status == "open"
