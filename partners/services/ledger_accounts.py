"""The ledger's books and accounts: opened on first use, and locked (the book, then its accounts)."""

from collections.abc import Sequence

from governance.models import Area
from partners.models import Account, LedgerBook, Partner
from partners.services._ledger_common import (
    AccountRef,
    UnbalancedPosting,
    _get_or_create,
    _lock_into,
    _locked_for,
    _ref_key,
)

K = Account.Kind


def book_for(*, community: Area) -> LedgerBook:
    return _get_or_create(LedgerBook, community=community)


def system_account(*, community: Area, kind: str) -> Account:
    if kind == K.PARTNER:
        raise ValueError("a partner account belongs to a partner")
    return _get_or_create(Account, community=community, kind=kind, partner=None)


def partner_account(*, partner: Partner) -> Account:
    return _get_or_create(Account, community_id=partner.community_id, kind=K.PARTNER, partner=partner)


def book_lock(*, community: Area) -> LedgerBook:
    """Lock the community's book for the rest of the transaction (the first lock of every posting)
    and read it, in one statement. The book returned carries the accounts locked under it
    (:func:`accounts_lock`); pass it to :func:`ledger_post` so that neither is read twice."""
    book = LedgerBook.objects.select_for_update().filter(community=community).first()
    if book is None:  # the community's first posting
        book_for(community=community)
        book = LedgerBook.objects.select_for_update().get(community=community)
    book.locked_accounts = {}  # pk → Account, locked and read in this transaction
    return book


def accounts_lock(*, book: LedgerBook, refs: Sequence[AccountRef]) -> list[Account]:
    """Lock (``SELECT … FOR UPDATE`` in primary-key order, one statement) and read the accounts
    ``refs`` name in ``book``'s community; accounts already locked under ``book`` are not read
    again. A missing system or partner account is opened first. Returns them in ``refs``' order."""
    if getattr(book, "locked_accounts", None) is None:
        raise ValueError("lock the book first (book_lock)")
    keys = [_ref_key(ref) for ref in refs]
    missing = [key for key in dict.fromkeys(keys) if _locked_for(book, key) is None]
    if missing:
        _lock_into(book, missing)
        opened = False
        for what, value in missing:
            if _locked_for(book, (what, value)) is not None:
                continue
            if what == "pk":
                raise UnbalancedPosting(f"account {value} is not in community {book.community_id}")
            if what == "partner":
                partner = next(ref for ref in refs if isinstance(ref, Partner) and ref.pk == value)
                if partner.community_id != book.community_id:
                    raise UnbalancedPosting(f"partner {value} is not in community {book.community_id}")
                partner_account(partner=partner)
            else:
                _get_or_create(Account, community_id=book.community_id, kind=value, partner=None)
            opened = True
        if opened:  # rare: the first posting to an account
            _lock_into(book, [key for key in missing if _locked_for(book, key) is None])
    return [_locked_for(book, key) for key in keys]
