"""The points ledger: double-entry postings, idempotent, hash-chained, verifiable.

Guarantees (each is checked by :func:`ledger_verify`, i.e. ``manage.py verify_ledger``):

- every :class:`LedgerTransaction` is entries that sum to zero (checked here before writing, and on
  PostgreSQL again at commit by a deferred constraint trigger);
- rows are never updated or deleted (model and queryset guards; a trigger on PostgreSQL);
- ``Account.balance`` equals the sum of the account's entries, and each entry's ``balance_after``
  is the running balance; a partner's balance is never negative (a check constraint as backstop);
- every transaction has a unique idempotency key: posting the same key again returns the first
  transaction and writes nothing;
- each transaction stores ``sha256(prev_hash + canonical content)`` and its book's previous hash,
  so changing any stored row breaks the chain from there on.

Concurrency: a posting locks its community's :class:`LedgerBook` first, then the accounts involved
in primary-key order (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite runs IMMEDIATE transactions,
which serialise writers). Services that read balances before posting (a redemption checking its
limit, a verification computing the monthly cap) call :func:`book_lock` first and pass the book on,
so the lock order is always book → accounts and no two postings can deadlock or interleave.

Cost: each row is read once per posting. The locking ``SELECT`` is the read (of the book, and of
all the accounts at once); the book returned by :func:`book_lock` keeps the accounts locked under
it, so a caller that locked them to check a balance hands them to :func:`ledger_post` unread. The
entries go in one insert, the balances move in one ``UPDATE`` (``F() + CASE``), and the book's
head moves by compare-and-set on the sequence it was read at; nothing written is read back. On
PostgreSQL those writes are one statement, so a posting holds the book for three statements and the
commit.
"""

from collections import defaultdict
from collections.abc import Sequence

from django.db import connection, transaction
from django.db.models import BigIntegerField, Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import status

from governance.exceptions import Conflict, DomainError
from governance.models import Area, User
from partners.models import Account, LedgerBook, LedgerEntry, LedgerTransaction
from partners.services._ledger_common import _UNKNOWN, AccountRef, UnbalancedPosting, _lock_into, _locked_for, _ref_key
from partners.services.ledger_accounts import accounts_lock, book_lock
from partners.services.ledger_hash import transaction_hash

K = Account.Kind


class InsufficientPoints(DomainError):
    code = "insufficient_points"
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("积分不足。")


class AlreadyReversed(Conflict):
    code = "already_reversed"
    default_detail = gettext_lazy("这笔交易已经冲正过，不能再次冲正。")


# --- Posting ------------------------------------------------------------------------------------


def ledger_post(
    *,
    community: Area,
    kind: str,
    key: str,
    lines: Sequence[tuple[AccountRef, int]],
    actor: User | None = None,
    memo: str = "",
    reverses: LedgerTransaction | None = None,
    book: LedgerBook | None = None,
) -> tuple[LedgerTransaction, bool]:
    """Post one balanced transaction; ``(transaction, created)``. The same ``key`` again returns the
    first transaction with ``created=False`` and writes nothing.

    ``book``: the community's book from :func:`book_lock` when the caller has locked it already
    (to read balances first); otherwise it is locked here. Statements when nothing is locked yet:
    the book (lock), the accounts (lock) with the key's twin looked up in the same statement, then
    the writes — on PostgreSQL one statement (:func:`_append_in_one_statement`), elsewhere four
    (:func:`_append`): three statements or six. A refusal (insufficient points) is raised before
    anything is written, and leaves the caller's transaction usable."""
    if not transaction.get_connection().in_atomic_block:
        if book is not None:
            raise ValueError("a locked book lives only inside its transaction")
        with transaction.atomic():
            return ledger_post(
                community=community, kind=kind, key=key, lines=lines, actor=actor, memo=memo, reverses=reverses
            )
    amounts: dict[tuple[str, object], int] = defaultdict(int)
    refs: dict[tuple[str, object], AccountRef] = {}
    for ref, amount in lines:
        ref_key = _ref_key(ref)
        refs.setdefault(ref_key, ref)
        amounts[ref_key] += int(amount)
    memo = memo[:200]  # hashed as stored
    if len([a for a in amounts.values() if a]) < 2 or sum(amounts.values()) != 0:
        raise UnbalancedPosting(f"lines must be two or more non-zero amounts summing to zero: {dict(amounts)}")

    if book is None:
        book = book_lock(community=community)
    elif book.community_id != community.pk or getattr(book, "locked_accounts", None) is None:
        raise ValueError("the book passed must be this community's, from book_lock")
    unlocked = [ref_key for ref_key in refs if _locked_for(book, ref_key) is None]
    twin = _lock_into(book, unlocked, twin_of=key) if unlocked else _UNKNOWN
    if twin is _UNKNOWN:
        twin = LedgerTransaction.objects.filter(idempotency_key=key).values_list("pk", flat=True).first()
    if twin is not None:  # a concurrent twin, or a replay, posted this key first
        return LedgerTransaction.objects.get(pk=twin), False
    accounts = accounts_lock(book=book, refs=list(refs.values()))  # reads nothing more unless one is new
    per_account: dict[int, int] = defaultdict(int)
    for account, ref_key in zip(accounts, refs, strict=True):
        per_account[account.pk] += amounts[ref_key]
    per_account = {pk: amount for pk, amount in per_account.items() if amount}
    if len(per_account) < 2:
        raise UnbalancedPosting(f"lines must be two or more non-zero amounts summing to zero: {per_account}")
    entries = []
    for pk in sorted(per_account):
        account = book.locked_accounts[pk]
        after = account.balance + per_account[pk]
        if after < 0 and account.kind != K.ISSUED:
            raise InsufficientPoints(
                _("积分不足：可用 %(balance)d 分，需要 %(needed)d 分。")
                % {"balance": account.balance, "needed": -per_account[pk]}
            )
        entries.append((pk, per_account[pk], after))

    sequence = book.sequence + 1
    now = timezone.now()
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    digest = transaction_hash(
        prev_hash=book.head_hash,
        book_id=book.pk,
        sequence=sequence,
        kind=kind,
        key=key,
        created_at=now,
        actor_id=actor_id,
        reverses_id=reverses.pk if reverses else None,
        memo=memo,
        entries=entries,
    )
    with transaction.atomic(savepoint=False):  # a failed write rolls the caller's transaction back
        tx = LedgerTransaction(
            book=book,
            sequence=sequence,
            kind=kind,
            idempotency_key=key,
            memo=memo,
            actor_id=actor_id,
            reverses=reverses,
            created_at=now,
            prev_hash=book.head_hash,
            hash=digest,
        )
        write = _append_in_one_statement if connection.vendor == "postgresql" else _append
        if not write(tx=tx, book=book, entries=entries):
            # the book was not this transaction's locked head: never extend a stale chain
            raise RuntimeError(f"ledger book {book.pk} moved under a posting; was it locked in this transaction?")
    for pk, _amount, after in entries:
        book.locked_accounts[pk].balance = after
    book.sequence, book.head_hash = sequence, digest
    return tx, True


def _append(*, tx: LedgerTransaction, book: LedgerBook, entries: list[tuple[int, int, int]]) -> bool:
    """The transaction, its entries (one insert), the balances (one ``UPDATE``, ``F() + CASE``) and
    the book's head (compare-and-set on the sequence and hash it was read at); False if the head moved."""
    tx.save(force_insert=True)
    LedgerEntry.objects.bulk_create(
        [LedgerEntry(transaction=tx, account_id=pk, amount=amount, balance_after=a) for pk, amount, a in entries]
    )
    Account.objects.filter(pk__in=[pk for pk, _amount, _after in entries]).update(
        balance=F("balance")
        + Case(
            *[When(pk=pk, then=Value(amount)) for pk, amount, _after in entries],
            default=Value(0),
            output_field=BigIntegerField(),
        )
    )
    moved = LedgerBook.objects.filter(pk=book.pk, sequence=book.sequence, head_hash=book.head_hash).update(
        sequence=tx.sequence, head_hash=tx.hash
    )
    return moved == 1


# The tables are the models' (``partners_<model>``); tests/partners/test_ledger_cost.py checks the
# statement against the ORM path on PostgreSQL.
_APPEND_SQL = """
    WITH tx AS (
        INSERT INTO partners_ledgertransaction
            (book_id, sequence, kind, idempotency_key, memo, actor_id, reverses_id, created_at, prev_hash, hash)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
        RETURNING id
    ), line AS (
        SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS line(account_id, amount, balance_after)
    ), entries AS (
        INSERT INTO partners_ledgerentry (transaction_id, account_id, amount, balance_after)
        SELECT tx.id, line.account_id, line.amount, line.balance_after FROM tx, line
    ), balances AS (
        UPDATE partners_account AS account SET balance = account.balance + line.amount
        FROM line WHERE account.id = line.account_id
    ), head AS (
        UPDATE partners_ledgerbook SET sequence = %s, head_hash = %s
        WHERE id = %s AND sequence = %s AND head_hash = %s
        RETURNING id
    )
    SELECT tx.id, (SELECT count(*) FROM head) FROM tx
"""


def _append_in_one_statement(*, tx: LedgerTransaction, book: LedgerBook, entries: list[tuple[int, int, int]]) -> bool:
    """PostgreSQL: the same four writes as :func:`_append` in one statement (data-modifying CTEs run
    whether or not the final ``SELECT`` reads them), so the book is held for one round trip, not four."""
    params = [
        book.pk,
        tx.sequence,
        tx.kind,
        tx.idempotency_key,
        tx.memo,
        tx.actor_id,
        tx.reverses_id,
        tx.created_at,
        tx.prev_hash,
        tx.hash,
        [pk for pk, _amount, _after in entries],
        [amount for _pk, amount, _after in entries],
        [after for _pk, _amount, after in entries],
        tx.sequence,
        tx.hash,
        book.pk,
        book.sequence,
        book.head_hash,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_APPEND_SQL, params)
        tx.pk, moved = cursor.fetchone()
    tx._state.adding, tx._state.db = False, connection.alias
    return moved == 1


@transaction.atomic
def ledger_reverse(*, tx: LedgerTransaction, actor: User, reason: str) -> LedgerTransaction:
    """Post the mirror image of ``tx``, naming it; a transaction can be reversed once."""
    if not reason.strip():
        raise DomainError(_("冲正必须填写原因。"), code="reason_required")
    if tx.kind == LedgerTransaction.Kind.REVERSE:
        raise Conflict(_("冲正交易不能再被冲正。"), code="cannot_reverse_reversal")
    community = tx.book.community
    book = book_lock(community=community)
    if LedgerTransaction.objects.filter(reverses=tx).exists():
        raise AlreadyReversed()
    lines = [(account_id, -amount) for account_id, amount in tx.entries.values_list("account_id", "amount")]
    reversal, _created = ledger_post(
        community=community,
        kind=LedgerTransaction.Kind.REVERSE,
        key=f"reverse:{tx.pk}",
        lines=lines,
        actor=actor,
        memo=reason,
        reverses=tx,
        book=book,
    )
    return reversal
