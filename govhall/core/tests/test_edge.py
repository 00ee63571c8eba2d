"""Odd input at the edge (core.edge): one check for every page, schema and parameter.
Each class of input answered 500 on the landed code (issue 17, item 2)."""

import json

import pytest

from govhall.core.tests.test_api import PROBLEM, fields_of, problem_of, token_for
from govhall.queueing.models import Ticket
from govhall.queueing.tests.conftest import make_queue

pytestmark = pytest.mark.django_db
BIG = "9223372036854775808"  # 2**63


@pytest.fixture
def queue():
    return make_queue("EDGE-1")


def post(client, url, body, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data, content_type="application/json", **extra)


def test_nul_in_a_json_string_is_422_naming_the_field(client, queue):
    body = problem_of(post(client, "/api/v1/tickets", {"center": "a\u0000b", "category": "A"}), 422)
    assert fields_of(body) == ["center"]
    nested = {"center": "EDGE-1", "category": "A", "extra": [{"x": "\u0000"}]}
    assert fields_of(problem_of(post(client, "/api/v1/tickets", nested), 422)) == ["extra.0.x"]
    assert Ticket.objects.count() == 0


def test_nul_in_a_query_parameter_is_422_naming_it(client):
    body = problem_of(client.get("/api/v1/items?center=a%00b"), 422)
    assert fields_of(body) == ["center"]
    assert body["code"] == "invalid_input"


def test_nul_in_a_page_path_or_form_is_a_400_page_not_a_500(client, queue):
    response = client.get("/appointments/%00/cancel")
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()
    response = client.post("/kiosk/issue/", {"center": "EDGE-1", "category": "A\x00"})
    assert response.status_code == 400
    assert Ticket.objects.count() == 0


def test_a_lone_surrogate_in_json_is_422_naming_the_field(client, queue):
    raw = '{"center": "EDGE-1", "category": "A", "phone": "\\ud800"}'
    body = problem_of(post(client, "/api/v1/tickets", raw), 422)
    assert fields_of(body) == ["phone"]
    assert Ticket.objects.count() == 0


def test_a_body_too_large_is_413_with_or_without_an_idempotency_key(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    raw = json.dumps({"center": "x" * 2000})
    body = problem_of(post(client, "/api/v1/tickets", raw), 413)
    assert fields_of(body) == ["body"]
    keyed = problem_of(post(client, "/api/v1/tickets", raw, HTTP_IDEMPOTENCY_KEY="k-1"), 413)
    assert keyed["code"] == body["code"] == "request_too_large"


@pytest.mark.parametrize(
    "url",
    ["/api/v1/items", "/api/v1/centers", "/api/v1/calendar/years", "/api/v1/appointments"],
)
def test_a_page_beyond_64_bits_is_422_on_every_listing(client, url):
    body = problem_of(client.get(f"{url}?page=99999999999999999999"), 422)
    assert fields_of(body) == ["page"]


def test_a_page_past_the_end_is_empty_not_an_offset_overflow(client):
    response = client.get("/api/v1/items?page=9000000000000000000")
    assert response.status_code == 200, response.content
    assert response.json()["results"] == []


def test_ids_beyond_64_bits_are_404_in_paths_and_422_in_bodies(client, queue):
    key = token_for(queue.clerk1.username)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    body = problem_of(post(client, f"/api/v1/tickets/{BIG}/finish", {}, **auth), 404)
    assert body["code"] == "not_found"
    url = f"/api/v1/windows/{queue.w1.pk}/call-next"
    body = problem_of(post(client, url, f'{{"finish": {BIG}}}', **auth), 422)
    assert fields_of(body) == ["finish"]
    body = problem_of(post(client, url, '{"finish": -9223372036854775809}', **auth), 422)
    assert fields_of(body) == ["finish"]
    assert client.get(f"/t/{BIG}/").status_code == 404


def test_anonymous_post_to_an_unknown_api_path_is_a_problem_404_not_a_csrf_page(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    body = problem_of(strict.post("/api/v1/no/such/thing", {}), 404)
    assert body["code"] == "not_found"
    body = problem_of(strict.post("/api/v2/tickets", {}), 404)
    assert body["code"] == "not_found"


def test_a_csrf_refusal_under_the_api_is_problem_json(client, queue):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(queue.clerk1)
    url = f"/api/v1/windows/{queue.w1.pk}/call-next"
    response = strict.post(url, "{}", content_type="application/json")
    body = problem_of(response, 403)
    assert body["code"] == "forbidden"
    assert response["Content-Type"].startswith(PROBLEM)


def test_a_non_ascii_status_token_is_404_not_500(client, queue):
    # Found by the API fuzz run: compare_digest refuses non-ASCII str.
    issued = post(client, "/api/v1/tickets", {"center": "EDGE-1", "category": "A"}).json()
    body = problem_of(client.get(f"/api/v1/tickets/{issued['id']}?t=%F2%BB%83%B9"), 404)
    assert body["code"] == "not_found"
    assert client.get(f"/t/{issued['id']}/?t=令牌").status_code == 404


def test_a_broken_multipart_body_is_json_checked_on_the_api_and_400_on_a_page(client, queue):
    # Found by the fuzz run's coverage phase: a multipart header without a boundary.
    kind = "multipart/form-data"
    body = problem_of(client.post("/api/v1/tickets", "{}", content_type=kind), 422)
    assert fields_of(body) == ["center"]  # parsed as the JSON it is, like ninja does
    response = client.post("/kiosk/issue/", "x", content_type=kind)
    assert response.status_code == 400 and "请求有误" in response.content.decode()


def test_core_does_not_import_the_root_api_module_or_private_ninja_names():
    import ast
    from pathlib import Path

    core = Path(__file__).resolve().parents[1]
    found = []
    for path in core.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module in {"govhall", "govhall.api"}:
                found.append(f"{path.name}: from {node.module} import …")
            if isinstance(node, ast.Import) and any(a.name == "govhall.api" for a in node.names):
                found.append(f"{path.name}: import govhall.api")
            if isinstance(node, ast.Attribute) and node.attr in {"_get_urls", "_get_key"}:
                found.append(f"{path.name}: {node.attr}")
    assert found == []
