"""Staff sign-in forms: one answer for every refusal (unknown name, wrong password, an
account in its delay after repeated failures, a non-staff account at the admin), so the
answer does not tell which."""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

REFUSED = "用户名或密码不正确，或连续输错后须稍候再试。"


class StaffAdminAuthenticationForm(AdminAuthenticationForm):
    error_messages = {**AdminAuthenticationForm.error_messages, "invalid_login": REFUSED}


class StaffAuthenticationForm(AuthenticationForm):
    error_messages = {**AuthenticationForm.error_messages, "invalid_login": REFUSED}
