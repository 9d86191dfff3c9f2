"""The workflow kit: one way for every app to move a row through its state machine.

An app declares its table as data — for each status, the statuses it may move to and the columns
each move may write — and hands the kit a ``record`` hook that appends the timeline entry and
writes the notifications to the outbox (same transaction). Then:

- :meth:`Workflow.transition` checks the table, moves the row with a compare-and-set on
  ``status`` **and** ``version`` (``UPDATE … WHERE pk = … AND status = <seen> AND version = <seen>``,
  a guard that holds on every database, SQLite included), writes only the columns that move
  declares, and calls ``record`` — all inside one transaction.
- :meth:`Workflow.clock_write` is the other writer of a row: a clock (escalation, reminder) that
  changes deadline columns without a status move. It bumps ``version`` too, so a clock write
  and a move can never overwrite each other: whichever comes second sees the version moved.

When a move finds only the version changed (a clock ticked, the status is what the caller saw),
it re-reads the row and recomputes its changes from the fresh copy — ``changes`` may be a
callable for exactly this — instead of writing values derived from a stale read. When the status
itself moved, the caller gets :class:`StaleState` (409): someone else acted first.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.expressions import Combinable
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.exceptions import InvalidTransition, StaleState


class UndeclaredWrite(ValueError):
    """A move tried to write a column its table entry does not declare: a programming error."""


class RecordHook(Protocol):
    def __call__(self, *, obj: Any, frm: str, to: str, actor: Any, note: str) -> Any: ...


Changes = Mapping[str, Any] | Callable[[Any], Mapping[str, Any]] | None


@dataclass(frozen=True)
class Workflow:
    """A state machine over ``model``: ``moves[frm][to]`` = the columns that move may write."""

    model: type[models.Model]
    moves: Mapping[str, Mapping[str, Iterable[str]]]
    record: RecordHook | None = None
    labels: Mapping[str, str] | None = None
    noun: str = ""  # what the row is, for messages ("事件当前为…")
    status_field: str = "status"
    version_field: str = "version"
    stale_detail: str = ""
    retries: int = 3

    # --- the table --------------------------------------------------------------------------

    def targets(self, frm: str) -> frozenset[str]:
        """Where a row in ``frm`` may go."""
        return frozenset(self.moves.get(frm, {}))

    def table(self) -> dict[str, frozenset[str]]:
        return {frm: self.targets(frm) for frm in self.moves}

    def writes(self, frm: str, to: str) -> frozenset[str]:
        return frozenset(self.moves.get(frm, {}).get(to, ()))

    def _label(self, status: str) -> str:
        return str((self.labels or {}).get(status, status))

    def check(self, *, frm: str, to: str) -> None:
        if to not in self.targets(frm):
            raise InvalidTransition(
                frm=frm,
                to=to,
                detail=_("%(noun)s当前为“%(frm)s”，不能变更为“%(to)s”。")
                % {"noun": self.noun, "frm": self._label(frm), "to": self._label(to)},
            )

    # --- writers ----------------------------------------------------------------------------

    def _stamp(self, now) -> dict[str, Any]:
        names = {f.name for f in self.model._meta.concrete_fields}
        return {name: now for name in ("status_changed_at", "updated_at") if name in names}

    @transaction.atomic
    def transition(self, obj, *, to: str, actor=None, note: str = "", changes: Changes = None):
        """Move ``obj`` to ``to``; returns ``obj`` with the moved columns set.

        ``changes`` (a mapping, or a callable taking the row and returning one) may name only the
        columns the table declares for this move; anything else raises :class:`UndeclaredWrite`.
        """
        manager = self.model._default_manager
        for _attempt in range(self.retries):
            frm = getattr(obj, self.status_field)
            version = getattr(obj, self.version_field)
            self.check(frm=frm, to=to)
            values = dict(changes(obj) if callable(changes) else (changes or {}))
            undeclared = set(values) - self.writes(frm, to)
            if undeclared:
                raise UndeclaredWrite(
                    f"{self.model.__name__} {frm} → {to} may not write {', '.join(sorted(undeclared))}"
                )
            now = timezone.now()
            stamp = self._stamp(now)
            moved = manager.filter(Q(pk=obj.pk) & Q(**{self.status_field: frm, self.version_field: version})).update(
                **{self.status_field: to, self.version_field: F(self.version_field) + 1}, **stamp, **values
            )
            if moved:
                self._apply(obj, {self.status_field: to, self.version_field: version + 1, **stamp, **values})
                if self.record is not None:
                    self.record(obj=obj, frm=frm, to=to, actor=actor, note=note)
                return obj
            current = manager.filter(pk=obj.pk).values_list(self.status_field, flat=True).first()
            if current != frm:
                raise StaleState(self.stale_detail or None)
            obj.refresh_from_db()  # only the version moved (a clock write): recompute from the fresh row
        raise StaleState(self.stale_detail or None)

    def clock_write(self, obj, *, changes: Mapping[str, Any], where: Q | None = None) -> bool:
        """Write clock columns (no status move) if the row is still the version ``obj`` holds and
        matches ``where``. Returns False, writing nothing, when anything moved since it was read."""
        version = getattr(obj, self.version_field)
        moved = (
            self.model._default_manager.filter(where or Q())
            .filter(pk=obj.pk, **{self.version_field: version})
            .update(**{self.version_field: F(self.version_field) + 1}, **changes)
        )
        if moved:
            self._apply(obj, {self.version_field: version + 1, **changes})
        return bool(moved)

    def _apply(self, obj, values: Mapping[str, Any]) -> None:
        """Set the written values on the instance; an expression's result is read back."""
        expressions = [name for name, value in values.items() if isinstance(value, Combinable)]
        for name, value in values.items():
            if name not in expressions:
                setattr(obj, name, value)
        if expressions:
            obj.refresh_from_db(fields=expressions)
