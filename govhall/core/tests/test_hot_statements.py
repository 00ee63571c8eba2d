"""govhall/core/sqlite_backend/hot.py: statements on the raw SQLite connection behave as
through a Django cursor (errors, the query log, broken transactions, closed connections)."""

import pytest
from django.conf import settings
from django.db import (
    IntegrityError,
    OperationalError,
    connection,
    transaction,
)
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from govhall.core.sqlite_backend import hot

pytestmark = [
    pytest.mark.skipif(not settings.IS_SQLITE, reason="SQLite backend only"),
    pytest.mark.django_db,
]

TABLE = "core_hot_probe"


@pytest.fixture
def probe_table():
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {TABLE} (id integer PRIMARY KEY, name text UNIQUE)")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def test_rows_and_both_placeholder_styles(probe_table):
    hot.execute(f"INSERT INTO {TABLE} (id, name) VALUES (%s, %s)", [1, "甲"])
    hot.execute(
        f"INSERT INTO {TABLE} (id, name) VALUES (%(id)s, %(name)s)", {"id": 2, "name": "乙"}
    )
    rows = hot.execute(f"SELECT name FROM {TABLE} WHERE name LIKE '%%' ORDER BY id").fetchall()
    assert rows == [("甲",), ("乙",)]


def test_database_errors_come_out_as_djangos(probe_table):
    hot.execute(f"INSERT INTO {TABLE} (id, name) VALUES (%s, %s)", [1, "甲"])
    with pytest.raises(IntegrityError), transaction.atomic():
        hot.execute(f"INSERT INTO {TABLE} (id, name) VALUES (%s, %s)", [2, "甲"])
    with pytest.raises(OperationalError):
        hot.execute("SELECT * FROM no_such_table")


def test_a_broken_transaction_refuses_further_statements(probe_table):
    with transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic(savepoint=False):
            hot.execute(f"INSERT INTO {TABLE} (id, name) VALUES (%s, %s)", [1, None])
            hot.execute(f"INSERT INTO {TABLE} (id, name) VALUES (%s, %s)", [1, "again"])
        with pytest.raises(TransactionManagementError):
            hot.execute(f"SELECT count(*) FROM {TABLE}")


def test_the_query_log_lists_each_statement(probe_table):
    with CaptureQueriesContext(connection) as queries:
        hot.execute(f"SELECT count(*) FROM {TABLE} WHERE id = %s", [1])
    assert [q["sql"] for q in queries.captured_queries] == [
        f"SELECT count(*) FROM {TABLE} WHERE id = %s"
    ]


@pytest.mark.django_db(transaction=True)
def test_a_closed_connection_is_opened_again():
    connection.close()
    assert connection.connection is None
    assert hot.execute("SELECT 1").fetchone() == (1,)
    assert connection.connection is not None
