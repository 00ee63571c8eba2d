from django.http import HttpResponse


def _stub(request, *a, **k):
    return HttpResponse("")


progress = review = intake = detail = document_pdf = refusal = _stub
