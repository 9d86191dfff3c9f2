"""Private helpers that locking and posting share: account references, a row opened once, the locked accounts."""

from django.db import IntegrityError, transaction
from django.db.models import Q, Subquery

from partners.models import Account, LedgerBook, LedgerTransaction, Partner

K = Account.Kind


class UnbalancedPosting(ValueError):
    """A posting whose lines do not sum to zero: a programming error, never shown to users."""


# What a posting line names: an account, a partner (its account), a system account's kind
# (``Account.Kind.ISSUED`` …) or an account's primary key. Resolved and locked in one statement.
AccountRef = Account | Partner | str | int


def _get_or_create(model, **lookup):
    obj = model.objects.filter(**lookup).first()
    if obj is not None:
        return obj
    try:
        with transaction.atomic():
            return model.objects.create(**lookup)
    except IntegrityError:  # a concurrent request created it first
        return model.objects.get(**lookup)


def _ref_key(ref: AccountRef) -> tuple[str, object]:
    if isinstance(ref, Account):
        return ("pk", ref.pk)
    if isinstance(ref, Partner):
        return ("partner", ref.pk)
    if isinstance(ref, str):
        if ref == K.PARTNER or ref not in K.values:
            raise ValueError(f"not a system account kind: {ref!r}")
        return ("system", ref)
    if isinstance(ref, int) and not isinstance(ref, bool):
        return ("pk", ref)
    raise TypeError(f"not an account reference: {ref!r}")


def _locked_for(book: LedgerBook, key: tuple[str, object]) -> Account | None:
    what, value = key
    for account in book.locked_accounts.values():
        if (
            (what == "pk" and account.pk == value)
            or (what == "partner" and account.partner_id == value)
            or (what == "system" and account.partner_id is None and account.kind == value)
        ):
            return account
    return None


_UNKNOWN = object()


def _lock_into(book: LedgerBook, keys: list[tuple[str, object]], *, twin_of: str | None = None) -> object:
    """Lock and read the accounts ``keys`` name into ``book.locked_accounts``, in one statement.

    ``twin_of``: an idempotency key to look up in the same statement — its transaction's pk or
    None, or ``_UNKNOWN`` when no row came back to carry the answer. The statement starts after
    the book lock is held, so its snapshot sees any twin that committed while this one waited."""
    lookup = Q()
    for what, value in keys:
        if what == "pk":
            lookup |= Q(pk=value)
        elif what == "partner":
            lookup |= Q(partner_id=value)
        else:
            lookup |= Q(partner__isnull=True, kind=value)
    rows = Account.objects.select_for_update().filter(lookup, community_id=book.community_id).order_by("pk")
    if twin_of is not None:
        rows = rows.annotate(twin=Subquery(LedgerTransaction.objects.filter(idempotency_key=twin_of).values("pk")[:1]))
    twin = _UNKNOWN
    for account in rows:
        twin = getattr(account, "twin", None)
        book.locked_accounts[account.pk] = account
    return twin
