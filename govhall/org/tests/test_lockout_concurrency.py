import threading

import pytest
from django.contrib.auth import authenticate
from django.db import connection

from govhall.org.models import User
from govhall.org.testing import make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_wrong_passwords_lock_exactly_once():
    make_user("clerk1")
    barrier = threading.Barrier(8)
    results = []

    def attempt():
        try:
            barrier.wait()
            results.append(authenticate(None, username="clerk1", password="wrong"))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [None] * 8
    user = User.objects.get(username="clerk1")
    # Eight failures: the fifth locked the account; no attempt slipped past the lock count.
    assert user.locked_until is not None
    assert user.failed_logins < 5
