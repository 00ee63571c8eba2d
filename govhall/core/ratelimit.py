"""Rate limits for the anonymous channels: per client (IP address) and per center.

Counters live in Django's cache (fixed windows, `cache.add` + `cache.incr`): per process
with the default local-memory cache, shared by every app server when REDIS_URL is set.
Authenticated callers (staff sessions, device tokens of kiosks and guide desks) are never
limited: a hall's devices share one public address.

A channel's limits come from settings.RATE_LIMITS, e.g. {"ticket": ("10/60", "300/60")}
(per client, per center; None for none); each is `RATE_LIMIT_<CHANNEL>` in the
environment, "10/60 300/60". Over a limit: `RateLimited` (429, Retry-After, Chinese text),
answered as problem+json by the API and as a 429 page by the site. API operations call
`check` first thing; page views are decorated with `limited_page`.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from govhall.core.errors import DomainError


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(f"操作过于频繁，请在 {self.retry_after} 秒后重试。")


def parse_rate(text: str | None) -> tuple[int, int] | None:
    """ "10/60" → (10, 60): at most 10 in any window of 60 seconds. Empty: no limit."""
    if not text:
        return None
    count, _, seconds = text.partition("/")
    return int(count), int(seconds or 60)


def client_address(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or, behind FORWARDED_PROXY_COUNT reverse proxies
    that each append to X-Forwarded-For, the address the outermost of them saw."""
    proxies = settings.FORWARDED_PROXY_COUNT
    if proxies:
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _count(key: str, rate: tuple[int, int], now: float) -> int | None:
    """One more hit in the current window; the seconds until the window ends when the
    rate is exceeded, else None."""
    limit, seconds = rate
    window = int(now // seconds)
    full_key = f"ratelimit:{key}:{seconds}:{window}"
    cache.add(full_key, 0, timeout=seconds + 1)
    try:
        hits = cache.incr(full_key)
    except ValueError:  # expired between add and incr
        cache.add(full_key, 1, timeout=seconds + 1)
        hits = 1
    if hits > limit:
        return math.ceil((window + 1) * seconds - now)
    return None


def check(request: HttpRequest, channel: str, *, center: str | None = None) -> None:
    """Count one anonymous use of `channel` by this client (and at `center`); raise
    RateLimited when a limit is exceeded. Authenticated callers are not counted."""
    if not settings.RATE_LIMIT_ENABLED or is_authenticated(request):
        return
    per_client, per_center = settings.RATE_LIMITS.get(channel, (None, None))
    now = timezone.now().timestamp()
    client_rate = parse_rate(per_client)
    if client_rate:
        client = hashlib.sha256(client_address(request).encode()).hexdigest()[:24]
        wait = _count(f"{channel}:client:{client}", client_rate, now)
        if wait is not None:
            # Refused before the center is counted: one flooding client must not use up
            # the center's allowance for everyone else.
            raise RateLimited(wait)
    center_rate = parse_rate(per_center)
    if center and center_rate:
        code = hashlib.sha256(center.encode()).hexdigest()[:24]
        wait = _count(f"{channel}:center:{code}", center_rate, now)
        if wait is not None:
            raise RateLimited(wait)


def is_authenticated(request: HttpRequest) -> bool:
    from govhall.core.api import authenticated_caller

    return authenticated_caller(request) is not None


def center_param(request: HttpRequest) -> str | None:
    """The center code a public page was asked for (?center= or the form's `center`)."""
    return request.GET.get("center") or request.POST.get("center") or None


def limited_page(
    channel: str,
    center_of: Callable[[HttpRequest], str | None] | None = center_param,
    *,
    methods: frozenset[str] = frozenset({"GET", "HEAD", "POST"}),
    as_json: bool = False,
) -> Callable:
    """For a page view: count each request made with one of `methods` in `channel` (and
    at the center `center_of` reads from the request); over the limit, a 429 page (or,
    `as_json`, the JSON answer the page's script reads) with Retry-After."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods:
                try:
                    check(request, channel, center=center_of(request) if center_of else None)
                except RateLimited as exc:
                    return too_many_page(request, exc, as_json=as_json)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def too_many_page(request: HttpRequest, exc: RateLimited, *, as_json: bool = False) -> HttpResponse:
    if as_json:
        response: HttpResponse = JsonResponse(
            {"ok": False, "detail": exc.message, "code": exc.code},
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = render(request, "429.html", {"message": exc.message}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response
