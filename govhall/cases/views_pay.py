"""The fake payment gateway's pay page (services/fake_gateway.py): the applicant opens the
payment link from the SMS or the window, sees the amount and the fee basis, and pays;
the gateway then notifies the merchant. Public like a gateway's cashier page; the name
is masked."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from govhall.cases.selectors_flow import fee_order_for_payer
from govhall.cases.services.fake_gateway import fake_gateway_pay
from govhall.core.errors import DomainError, NotFound


@require_http_methods(["GET", "POST"])
def fake_pay(request: HttpRequest, out_trade_no: str) -> HttpResponse:
    try:
        order, notice = fee_order_for_payer(out_trade_no)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    error = ""
    if request.method == "POST":
        try:
            fake_gateway_pay(out_trade_no=out_trade_no)
            return redirect("cases:pay_fake", out_trade_no=out_trade_no)
        except DomainError as exc:
            error = exc.message
    return render(
        request,
        "cases/pay_fake.html",
        {"order": order, "case": order.case, "notice": notice, "error": error},
        status=409 if error else 200,
    )
