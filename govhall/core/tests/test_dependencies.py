"""Dependencies run one way: core imports no domain app and not the root API/URL modules,
neither at the top of a module nor lazily inside a function (docs/architecture.md).

Core's own tests are left out: they are allowed to drive the domain apps end to end.
"""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[1]


def foreign_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of every import of a `govhall.*` module outside `govhall.core`:
    `import`, `from … import`, relative imports reaching above core, and
    `import_module("govhall.…")` / `__import__` calls with a literal name."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level >= 2:  # from ..org import x (above govhall.core)
                names = [f"govhall.{node.module or ''}"]
            elif node.level == 0 and node.module:
                base = node.module
                names = [base] if base != "govhall" else [f"govhall.{a.name}" for a in node.names]
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = getattr(func, "id", None) or getattr(func, "attr", None)
            first = node.args[0]
            if called in {"import_module", "__import__"} and isinstance(first, ast.Constant):
                names = [str(first.value)]
        for name in names:
            if name == "govhall" or not name.startswith("govhall."):
                continue
            if name == "govhall.core" or name.startswith("govhall.core."):
                continue
            found.append((node.lineno, name))
    return found


def test_the_checker_sees_every_form_of_import():
    source = (
        "import govhall.org.models\n"
        "from govhall.catalog import selectors\n"
        "from govhall import api\n"
        "from ..urls import urlpatterns\n"
        "def f():\n"
        "    from govhall.queueing.services import ticket_issue\n"
        "    import_module('govhall.cases.jobs')\n"
        "from govhall.core import workdays\n"
        "from django.db import models\n"
    )
    assert [m for _, m in foreign_imports(source)] == [
        "govhall.org.models",
        "govhall.catalog",
        "govhall.api",
        "govhall.urls",
        "govhall.queueing.services",
        "govhall.cases.jobs",
    ]


def test_core_imports_no_domain_app_nor_the_root_api():
    files = [p for p in CORE.rglob("*.py") if "tests" not in p.relative_to(CORE).parts]
    assert len(files) > 20  # the walk really reads core
    offending = [
        f"{path.relative_to(CORE.parent.parent)}:{line}: {module}"
        for path in files
        for line, module in foreign_imports(path.read_text(encoding="utf-8"))
    ]
    assert offending == []
