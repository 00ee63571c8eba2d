"""The board runs for days without a reload: many calls and polls leave its DOM and its
event listeners as they were (the steady counts from Chromium's DevTools protocol, after a
garbage collection). Its heap over a long run is printed by bench/board_soak.py."""

import pytest

from govhall.queueing import services
from govhall.queueing.tests.conftest import make_queue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WARM_UP_ROUNDS = 10
MEASURED_ROUNDS = 40


def test_board_dom_and_listeners_do_not_grow(browser, plain_live_server):
    q = make_queue("QT-SOAK")
    windows = [(q.w1, q.clerk1), (q.w2, q.clerk2)]
    for window, clerk in windows:
        services.window_open(window=window, actor=clerk)
    for _ in range(2 * len(windows) * (WARM_UP_ROUNDS + MEASURED_ROUNDS) + 5):
        services.ticket_issue(center=q.center, category=q.cats["A"])
    context = browser.new_context(locale="zh-CN", viewport={"width": 1600, "height": 900})
    board = context.new_page()
    # A fast poll, so that a test's seconds hold the polls of a long day.
    board.goto(f"{plain_live_server.url}/board/{q.center.code}/?poll=40")
    board.wait_for_function("window.__board && window.__board.polls > 0", timeout=5000)
    devtools = context.new_cdp_session(board)
    held = {window.pk: None for window, _ in windows}

    def rounds(n: int) -> None:
        # Each round: both windows finish and call (two announcements), then the board
        # shows the last call before the next round starts.
        for _ in range(n):
            for window, clerk in windows:
                if held[window.pk] is None:
                    ticket = services.window_call_next(window=window, actor=clerk)
                else:
                    _, ticket = services.window_finish_and_call_next(
                        window=window, ticket_id=held[window.pk], actor=clerk
                    )
                held[window.pk] = ticket.pk
            text = f"请{ticket.number}号到{window.number}号窗口办理"
            board.wait_for_function(f"window.__board.lastText === {text!r}", timeout=5000)

    def counters() -> dict:
        # The least of a few samples: a poll in flight holds a couple of listeners (its
        # abort signal's) and a render's replaced nodes may not be collected yet, and both
        # only ever add to the steady count, which is what a leak raises.
        samples = []
        for _ in range(6):
            devtools.send("HeapProfiler.collectGarbage")
            samples.append(devtools.send("Memory.getDOMCounters"))
            board.wait_for_timeout(30)
        return {
            "nodes": min(s["nodes"] for s in samples),
            "listeners": min(s["jsEventListeners"] for s in samples),
        }

    rounds(WARM_UP_ROUNDS)  # the lists of calls fill up to their caps
    before = counters()
    polls_before = board.evaluate("window.__board.polls")
    rounds(MEASURED_ROUNDS)
    after = counters()
    polls = board.evaluate("window.__board.polls") - polls_before
    assert polls >= MEASURED_ROUNDS, polls  # the board really polled in between
    assert after == before, (before, after)
    assert board.locator("#calls li").count() == 6
    assert board.locator("#windows .bw").count() == 3
    context.close()
