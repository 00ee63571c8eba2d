import io
import logging

import pytest

from govhall.core.logfilters import ForbiddenWithoutTraceback
from govhall.org.testing import make_user


@pytest.fixture
def console_output():
    """The console handler settings.LOGGING installs, writing into a buffer."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, ForbiddenWithoutTraceback) for f in h.filters)
    )
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


@pytest.mark.django_db
def test_a_403_logs_one_line_without_traceback(client, settings, console_output):
    settings.SECURE_SSL_REDIRECT = False
    client.force_login(make_user("norole"))
    response = client.get("/window/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "您没有使用窗口叫号的权限。" in body
    assert "系统管理员" in body and "退出登录" in body
    assert "导办" not in body
    log = console_output.getvalue()
    assert "Forbidden (Permission denied): /window/" in log
    assert "Traceback" not in log


def test_other_errors_keep_their_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, "f", 1, "m", None, sys.exc_info())
    assert ForbiddenWithoutTraceback().filter(record) is True
    assert record.exc_info is not None and record.exc_info[0] is ValueError
