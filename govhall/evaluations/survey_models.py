"""Surveys (调查问卷, 9.4 d): configurable questionnaires with a public link, responses."""

from __future__ import annotations

import secrets

from django.db import models

from govhall.core.models import WorkflowEvent


def new_survey_token() -> str:
    return secrets.token_urlsafe(12)


class QuestionKind(models.TextChoices):
    SINGLE = "single", "单选"
    MULTIPLE = "multiple", "多选"
    SCALE = "scale", "量表（1-5分）"
    TEXT = "text", "文字"


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    OPEN = "open", "已发布（开放填写）"
    CLOSED = "closed", "已结束"


class Survey(models.Model):
    """A questionnaire: drafted and edited by a manager, published (the public link takes
    answers), closed. Its questions change only while it has no answers."""

    Status = SurveyStatus
    TRANSITIONS: dict[str, set[str]] = {
        SurveyStatus.DRAFT: {SurveyStatus.OPEN},
        SurveyStatus.OPEN: {SurveyStatus.CLOSED},
        SurveyStatus.CLOSED: {SurveyStatus.OPEN},  # reopened for another round
    }

    center = models.ForeignKey(
        "org.Center", on_delete=models.PROTECT, related_name="+", verbose_name="中心"
    )
    title = models.CharField("问卷标题", max_length=100)
    intro = models.TextField("说明", blank=True)
    token = models.CharField("公开链接令牌", max_length=32, unique=True, default=new_survey_token)
    status = models.CharField(
        "状态", max_length=16, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "调查问卷"
        verbose_name_plural = "调查问卷"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == SurveyStatus.OPEN


class SurveyEvent(WorkflowEvent):
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="events", verbose_name="问卷"
    )

    class Meta:
        verbose_name = "问卷记录"
        verbose_name_plural = "问卷记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.action}"


class SurveyQuestion(models.Model):
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions", verbose_name="问卷"
    )
    position = models.PositiveSmallIntegerField("序号", default=0)
    kind = models.CharField("题型", max_length=16, choices=QuestionKind.choices)
    text = models.CharField("题目", max_length=200)
    options = models.JSONField("选项", default=list, blank=True)
    required = models.BooleanField("必答", default=True)

    class Meta:
        verbose_name = "问卷题目"
        verbose_name_plural = "问卷题目"
        ordering = ["survey", "position", "id"]

    def __str__(self) -> str:
        return self.text


class SurveyResponse(models.Model):
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses", verbose_name="问卷"
    )
    # {question id (str): option text | [option texts] | 1..5 | text}
    answers = models.JSONField("答案", default=dict)
    at = models.DateTimeField("提交时间")

    class Meta:
        verbose_name = "问卷答卷"
        verbose_name_plural = "问卷答卷"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk}"
