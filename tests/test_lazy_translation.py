"""No text is translated when a module is imported.

``gettext`` called at import time (a module constant, a class attribute, a decorator's argument, a
default value) is fixed in the language active then — Chinese — and an English reader gets it in
Chinese. Such text must be ``gettext_lazy``. The walk below finds every call of an eager
``gettext`` / ``ngettext`` / ``pgettext`` outside a function body in the apps' modules.
"""

import ast
from pathlib import Path

from tests.test_architecture import BASE_DIR, app_modules

EAGER = {"gettext", "ngettext", "pgettext"}


def eager_calls_at_import(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
        if alias.name in EAGER
    }
    found: list[int] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            # decorators and defaults run at import; the body does not
            for part in [*node.decorator_list, *node.args.defaults, *filter(None, node.args.kw_defaults)]:
                visit(part)
            return
        if isinstance(node, ast.Lambda):
            return
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
            found.append(node.lineno)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def test_the_walk_sees_eager_text_at_import_and_not_inside_functions(tmp_path):
    probe = tmp_path / "views.py"
    probe.write_text(
        "from django.utils.translation import gettext as _\n"
        "from django.utils.translation import gettext_lazy\n"
        "DONE = {'accept': _('已受理。')}\n"  # 3: eager at import
        "LAZY = gettext_lazy('已受理。')\n"
        "class Refusal:\n"
        "    detail = _('不行。')\n"  # 6: a class body runs at import
        "@decorate(summary=_('摘要'))\n"  # 7: a decorator's argument runs at import
        "def view(request, note=_('无')):\n"  # 8: a default runs at import
        "    return _('已办结。'), (lambda: _('稍后'))\n",
        encoding="utf-8",
    )
    assert eager_calls_at_import(probe) == [3, 6, 7, 8]


def test_the_walk_covers_every_app():
    names = {str(p.relative_to(BASE_DIR)) for p in app_modules()}
    assert {"mediation/views/case.py", "grids/api/events.py", "partners/api/_common.py"} <= names
    assert {"governance/consultation/views/meetings.py"} <= names
    assert not any("migrations" in n for n in names)


def test_no_module_translates_text_when_it_is_imported():
    offenders = [
        f"{path.relative_to(BASE_DIR)}:{line}" for path in app_modules() for line in eager_calls_at_import(path)
    ]
    assert offenders == [], "use gettext_lazy for text made at import time"
