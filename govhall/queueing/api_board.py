"""The hall display board API (6.3.4): the board's state and its live stream."""

from __future__ import annotations

import hashlib
import json
import threading
import time

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from ninja import Router

from govhall.core.errors import NotFound
from govhall.org.models import Center
from govhall.queueing import selectors, selectors_board

router = Router(tags=["排队叫号"])


# --- display board -------------------------------------------------------------------------

# Boards poll this twice a second. A poll costs one indexed lookup of the latest event id;
# the full state is rebuilt only when that changes (and is shared by every board of the
# center through the cache for a few seconds).
BOARD_CACHE_SECONDS = 5


def _center_id(code: str) -> int:
    center = selectors.cached_row(
        ("center", code), lambda: Center.objects.filter(code=code, is_active=True).first()
    )
    if center is None:
        raise NotFound("中心不存在。")
    return center.pk


def _zones(raw: str) -> list[str]:
    return sorted({z.strip().upper() for z in raw.split(",") if z.strip()})


# Within one process the version is re-read at most every BOARD_VERSION_TTL seconds: with
# many boards polling, most polls then cost no query at all (adds at most this much delay).
BOARD_VERSION_TTL = 0.1
_versions: dict[int, tuple[float, int]] = {}
# The bodies this process serves, by version key (a new event makes a new key); read
# without unpickling on every poll.
_boards: dict[str, tuple[float, tuple[str, bytes]]] = {}
_board_lock = threading.Lock()


def _fresh_board(key: str) -> tuple[str, bytes] | None:
    hit = _boards.get(key)
    if hit is None or time.monotonic() - hit[0] > BOARD_CACHE_SECONDS:
        return None
    return hit[1]


def _board_version(center_id: int) -> int:
    now = time.monotonic()
    seen = _versions.get(center_id)
    if seen is not None and now - seen[0] < BOARD_VERSION_TTL:
        return seen[1]
    version = selectors_board.board_version(center_id)
    _versions[center_id] = (now, version)
    return version


def board_payload(code: str, zones: list[str]) -> tuple[int, str, bytes]:
    """(version, etag, body) of a center's board; one indexed query when nothing changed."""
    center_id = _center_id(code)
    version = _board_version(center_id)
    key = f"queue:board:{center_id}:{version}:{','.join(zones)}"
    cached = _fresh_board(key)
    if cached is None:
        # After a call every board polls within half a second: one thread of the process
        # rebuilds (or fetches from the shared cache), the others wait for it.
        with _board_lock:
            cached = _fresh_board(key)
            if cached is None:
                cached = cache.get(key)
                if cached is None:
                    center = Center.objects.get(pk=center_id)
                    state = selectors_board.board_state(center, timezone.now(), zones or None)
                    body = json.dumps(state, ensure_ascii=False).encode()
                    cached = ('"' + hashlib.sha1(body).hexdigest()[:16] + '"', body)
                    cache.set(key, cached, BOARD_CACHE_SECONDS)
                if len(_boards) > 200:
                    _boards.clear()
                _boards[key] = (time.monotonic(), cached)
    return version, cached[0], cached[1]


@router.get(
    "/display/{center}",
    auth=None,
    url_name="queue_display",
    summary="叫号屏当前状态（支持 ETag/304）",
)
def display(request: HttpRequest, center: str, zones: str = ""):
    _version, etag, body = board_payload(center, _zones(zones))
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


STREAM_SECONDS = 25
STREAM_TICK = 0.25


@router.get("/display/{center}/stream", auth=None, summary="叫号屏实时推送（text/event-stream）")
def display_stream(request: HttpRequest, center: str, zones: str = ""):
    """Server-sent events for a bounded time, then the stream ends and EventSource
    reconnects: a WSGI thread is held only STREAM_SECONDS at a time."""
    zone_list = _zones(zones)
    _center_id(center)  # 404 before the stream starts

    def events():
        from django.db import close_old_connections

        last = None
        deadline = time.monotonic() + STREAM_SECONDS
        yield b"retry: 1000\n\n"
        try:
            while time.monotonic() < deadline:
                version, _etag, body = board_payload(center, zone_list)
                if version != last:
                    last = version
                    yield b"event: board\nid: %d\ndata: " % version + body + b"\n\n"
                time.sleep(STREAM_TICK)
        finally:
            close_old_connections()

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
