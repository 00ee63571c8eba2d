import datetime as dt

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.db import connection

from govhall.org.models import User
from govhall.org.testing import make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

T0 = dt.datetime(2026, 2, 13, 2, 0, tzinfo=dt.UTC)


def test_concurrent_wrong_passwords_are_each_counted_once(settings):
    import threading

    # Seven free failures: the eighth, whichever thread makes it, starts the delay, so no
    # attempt can arrive during a delay and every one of the eight is counted.
    settings.LOGIN_FREE_FAILURES = 7
    make_user("clerk1")
    barrier = threading.Barrier(8)
    results = []

    def attempt():
        try:
            barrier.wait()
            results.append(authenticate(None, username="clerk1", password="wrong"))
        finally:
            connection.close()

    with time_machine.travel(T0, tick=False):
        threads = [threading.Thread(target=attempt) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert results == [None] * 8
    user = User.objects.get(username="clerk1")
    assert user.failed_logins == 8
    assert user.locked_until == T0 + dt.timedelta(seconds=settings.LOGIN_DELAY_SECONDS)
