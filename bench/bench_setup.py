"""Creates the bench center inside the bench database (run by bench/queue_load.py)."""

import json
import os
import secrets
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
# Put the repo root first so govhall imports resolve when run as a script.
sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from govhall.core.models import ApiToken  # noqa: E402
from govhall.org.models import Center, RoleAssignment, User, Window, Zone  # noqa: E402
from govhall.queueing.models import TicketCategory, WindowSkill  # noqa: E402
from govhall.queueing.services import window_open  # noqa: E402

if sys.argv[1] == "fill":
    # Waiting tickets for the call-next scenario, issued through the real service, so
    # call-next measures calls (200), not "nobody waits" (204).
    from govhall.org.models import Center as _Center
    from govhall.queueing.services import ticket_issue

    center = _Center.objects.get(code="BENCH")
    category = TicketCategory.objects.get(center=center, letter="A")
    for _ in range(int(sys.argv[2])):
        ticket_issue(center=center, category=category, channel="api")
    sys.exit(0)

N = int(sys.argv[1])
with transaction.atomic():
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute("CREATE TABLE IF NOT EXISTS bench_row (id bigserial PRIMARY KEY, at text)")
        else:
            c.execute(
                "CREATE TABLE IF NOT EXISTS bench_row "
                "(id integer PRIMARY KEY AUTOINCREMENT, at text)"
            )
    center = Center.objects.create(code="BENCH", name="压测政务服务中心", level="county")
    zone = Zone.objects.create(center=center, code="A", name="A区", kind="waiting")
    cat = TicketCategory.objects.create(center=center, letter="A", name="综合业务", zone=zone)
    # Seven more lines for the "issue across 8 categories" scenario (no window serves them).
    for letter in "BCDEFGH":
        TicketCategory.objects.create(center=center, letter=letter, name=f"业务{letter}", zone=zone)
    tokens = []
    for i in range(N + 1):
        w = Window.objects.create(center=center, number=str(i + 1), kind="general", zone=zone)
        WindowSkill.objects.create(window=w, category=cat, is_primary=True)
        u = User.objects.create(username=f"bench{i}", display_name=f"压测{i}")
        RoleAssignment.objects.create(user=u, role="clerk", center=center)
        key = "gh_" + secrets.token_urlsafe(32)
        ApiToken.objects.create(user=u, prefix=key[:10], key_hash=ApiToken.hash_key(key))
        window_open(window=w, actor=u)
        tokens.append({"window": w.pk, "token": key})
print(json.dumps(tokens))
