"""``mutmut`` for this project: the same command line, and functions under ``@transaction.atomic``
are mutated too.

mutmut 3 leaves every decorated function alone (a decorator may register a route or a task
when the module is imported, and copying it would do that twice). Our services own their
transaction with ``@transaction.atomic`` (see ../shared/STYLE.md), which has no such side effect;
skipping them would leave ``event_transition``, ``event_report`` and ``event_rate`` untested.
This lets a function through when ``transaction.atomic`` is its only decorator; every other rule
of mutmut (``# pragma: no mutate``, other decorators, enums) still applies.

    python tests/mutation/run.py run        # as ``mutmut run``; make mutation calls it
"""

import sys

import libcst as cst
from libcst.metadata import PositionProvider
from mutmut.mutation import file_mutation


def _is_atomic(decorator: cst.BaseExpression) -> bool:
    """``@transaction.atomic`` or ``@atomic``, without arguments."""
    if isinstance(decorator, cst.Attribute):
        return decorator.attr.value == "atomic" and isinstance(decorator.value, cst.Name)
    return isinstance(decorator, cst.Name) and decorator.value == "atomic"


def _allow_atomic_functions() -> None:
    visitor = file_mutation.MutationVisitor
    original = visitor._skip_node_and_children

    def _skip_node_and_children(self, node: cst.CSTNode) -> bool:
        skip = original(self, node)
        if not (skip and isinstance(node, cst.FunctionDef) and node.decorators):
            return skip
        if not all(_is_atomic(d.decorator) for d in node.decorators):
            return skip
        position = self.get_metadata(PositionProvider, node, None)
        pragma = position is not None and position.start.line in self._ignored_node_lines
        never = node.name.value in file_mutation.NEVER_MUTATE_FUNCTION_NAMES or node in self._enum_creation_hooks
        return bool(pragma or never)

    visitor._skip_node_and_children = _skip_node_and_children


if __name__ == "__main__":
    _allow_atomic_functions()
    from mutmut.__main__ import cli

    sys.argv[0] = "mutmut"
    cli()
