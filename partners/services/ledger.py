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

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import BigIntegerField, Case, F, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import status

from governance.exceptions import Conflict, DomainError
from governance.models import Area, Role, User
from governance.outbox import notification_enqueue
from partners.models import Account, LedgerBook, LedgerCheckpoint, LedgerEntry, LedgerTransaction, Partner

K = Account.Kind


class InsufficientPoints(DomainError):
    code = "insufficient_points"
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("积分不足。")


class AlreadyReversed(Conflict):
    code = "already_reversed"
    default_detail = gettext_lazy("这笔交易已经冲正过，不能再次冲正。")


class UnbalancedPosting(ValueError):
    """A posting whose lines do not sum to zero: a programming error, never shown to users."""


# --- Accounts and books -----------------------------------------------------------------------

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


# --- Hashing ------------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def transaction_hash(
    *,
    prev_hash: str,
    book_id: int,
    sequence: int,
    kind: str,
    key: str,
    created_at: datetime,
    actor_id: int | None,
    reverses_id: int | None,
    memo: str,
    entries: Sequence[tuple[int, int, int]],
) -> str:
    """sha256 over the previous hash and the canonical JSON of the transaction and its entries
    (``(account_id, amount, balance_after)``, sorted)."""
    payload = json.dumps(
        {
            "book": book_id,
            "seq": sequence,
            "kind": kind,
            "key": key,
            "at": _iso(created_at),
            "actor": actor_id,
            "reverses": reverses_id,
            "memo": memo,
            "entries": sorted([list(e) for e in entries]),
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


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


# --- Verification -------------------------------------------------------------------------------


@dataclass
class VerifyResult:
    problems: list[str] = field(default_factory=list)
    transactions: int = 0
    heads: dict[str, str] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def ledger_verify() -> VerifyResult:
    """Recompute every book's chain and every account's balance from the entries."""
    result = VerifyResult()
    for book in LedgerBook.objects.select_related("community").order_by("pk"):
        _verify_book(book, result)
    _verify_balances(result)
    return result


def _verify_book(book: LedgerBook, result: VerifyResult) -> None:
    prev_hash, expected_seq = "", 1
    txs = LedgerTransaction.objects.filter(book=book).order_by("sequence").prefetch_related("entries")
    for tx in txs.iterator(chunk_size=500):
        result.transactions += 1
        name = f"交易 #{tx.pk}（{tx.idempotency_key}，账簿 {book.community} 第 {tx.sequence} 笔）"
        entries = [(e.account_id, e.amount, e.balance_after) for e in tx.entries.all()]
        if tx.sequence != expected_seq:
            result.problems.append(f"{name}：序号应为 {expected_seq}")
        if tx.prev_hash != prev_hash:
            result.problems.append(f"{name}：上一笔哈希与链不符")
        if sum(amount for _pk, amount, _after in entries) != 0 or len(entries) < 2:
            result.problems.append(f"{name}：分录合计不为零")
        digest = transaction_hash(
            prev_hash=tx.prev_hash,
            book_id=book.pk,
            sequence=tx.sequence,
            kind=tx.kind,
            key=tx.idempotency_key,
            created_at=tx.created_at,
            actor_id=tx.actor_id,
            reverses_id=tx.reverses_id,
            memo=tx.memo,
            entries=entries,
        )
        if digest != tx.hash:
            result.problems.append(f"{name}：内容与哈希不符（记录被改动）")
        prev_hash, expected_seq = tx.hash, tx.sequence + 1
    if book.head_hash != prev_hash or book.sequence != expected_seq - 1:
        result.problems.append(f"账簿 {book.community}：链头与最后一笔交易不符")
    result.heads[str(book.community_id)] = prev_hash


def _verify_balances(result: VerifyResult) -> None:
    running: dict[int, int] = defaultdict(int)
    first_bad: dict[int, str] = {}
    rows = LedgerEntry.objects.order_by("account_id", "transaction__sequence", "id").values_list(
        "account_id", "amount", "balance_after", "transaction_id"
    )
    for account_id, amount, after, tx_id in rows.iterator(chunk_size=2000):
        running[account_id] += amount
        if running[account_id] != after and account_id not in first_bad:
            first_bad[account_id] = f"交易 #{tx_id}"
    totals: dict[str, int] = defaultdict(int)
    for account in Account.objects.select_related("partner").order_by("pk"):
        total = running.get(account.pk, 0)
        totals[account.kind] += account.balance
        if account.pk in first_bad:
            result.problems.append(f"账户 #{account.pk}（{account}）：{first_bad[account.pk]} 的变动后余额与累计不符")
        if total != account.balance:
            result.problems.append(f"账户 #{account.pk}（{account}）：余额 {account.balance} 与分录合计 {total} 不符")
        if account.kind != K.ISSUED and account.balance < 0:
            result.problems.append(f"账户 #{account.pk}（{account}）：余额为负")
    result.totals = dict(totals)


def ledger_checkpoint(*, record: bool = True) -> VerifyResult:
    """Verify the whole ledger, record a checkpoint (head hashes, totals) and tell staff on failure."""
    result = ledger_verify()
    if not record:
        return result
    with transaction.atomic():
        checkpoint = LedgerCheckpoint.objects.create(
            ok=result.ok,
            transactions=result.transactions,
            heads=result.heads,
            totals=result.totals,
            problem=result.problems[0] if result.problems else "",
        )
        if not result.ok:
            admins = User.objects.filter(
                Q(is_superuser=True) | Q(posts__role__in=[Role.ADMIN, Role.STREET_SUPERVISOR], posts__is_active=True),
                is_active=True,
            )
            notification_enqueue(
                recipients=admins.distinct(),
                key=f"ledger-check:{checkpoint.pk}",
                title=_("积分账本校验失败"),
                body=result.problems[0],
                email=True,
            )
    return result
