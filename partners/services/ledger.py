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
limit, a verification computing the monthly cap) call :func:`book_lock` first, so the lock order
is always book → accounts and no two postings can deadlock or interleave.
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Q
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
    """Lock the community's book for the rest of the transaction (the first lock of every posting)."""
    book = book_for(community=community)
    return LedgerBook.objects.select_for_update().get(pk=book.pk)


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


@transaction.atomic
def ledger_post(
    *,
    community: Area,
    kind: str,
    key: str,
    lines: Sequence[tuple[Account, int]],
    actor: User | None = None,
    memo: str = "",
    reverses: LedgerTransaction | None = None,
) -> tuple[LedgerTransaction, bool]:
    """Post one balanced transaction; ``(transaction, created)``. The same ``key`` again returns the
    first transaction with ``created=False`` and writes nothing."""
    existing = LedgerTransaction.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing, False
    amounts: dict[int, int] = defaultdict(int)
    for account, amount in lines:
        if account.community_id != community.pk:
            raise UnbalancedPosting(f"account {account.pk} is not in community {community.pk}")
        amounts[account.pk] += int(amount)
    amounts = {pk: amount for pk, amount in amounts.items() if amount}
    if len(amounts) < 2 or sum(amounts.values()) != 0:
        raise UnbalancedPosting(f"lines must be two or more non-zero amounts summing to zero: {amounts}")

    book = book_lock(community=community)
    existing = LedgerTransaction.objects.filter(idempotency_key=key).first()  # a concurrent twin won
    if existing is not None:
        return existing, False
    locked = {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=amounts).order_by("pk")}
    entries = []
    for pk in sorted(amounts):
        account = locked[pk]
        after = account.balance + amounts[pk]
        if after < 0 and account.kind != K.ISSUED:
            raise InsufficientPoints(
                _("积分不足：可用 %(balance)d 分，需要 %(needed)d 分。")
                % {"balance": account.balance, "needed": -amounts[pk]}
            )
        entries.append((pk, amounts[pk], after))

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
    tx = LedgerTransaction.objects.create(
        book=book,
        sequence=sequence,
        kind=kind,
        idempotency_key=key,
        memo=memo[:200],
        actor_id=actor_id,
        reverses=reverses,
        created_at=now,
        prev_hash=book.head_hash,
        hash=digest,
    )
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(transaction=tx, account_id=pk, amount=amount, balance_after=after)
            for pk, amount, after in entries
        ]
    )
    for pk, amount, _after in entries:
        Account.objects.filter(pk=pk).update(balance=F("balance") + amount)
    LedgerBook.objects.filter(pk=book.pk).update(sequence=sequence, head_hash=digest)
    return tx, True


@transaction.atomic
def ledger_reverse(*, tx: LedgerTransaction, actor: User, reason: str) -> LedgerTransaction:
    """Post the mirror image of ``tx``, naming it; a transaction can be reversed once."""
    if not reason.strip():
        raise DomainError(_("冲正必须填写原因。"), code="reason_required")
    if tx.kind == LedgerTransaction.Kind.REVERSE:
        raise Conflict(_("冲正交易不能再被冲正。"), code="cannot_reverse_reversal")
    community = tx.book.community
    book_lock(community=community)
    if LedgerTransaction.objects.filter(reverses=tx).exists():
        raise AlreadyReversed()
    lines = [(entry.account, -entry.amount) for entry in tx.entries.select_related("account")]
    reversal, _created = ledger_post(
        community=community,
        kind=LedgerTransaction.Kind.REVERSE,
        key=f"reverse:{tx.pk}",
        lines=lines,
        actor=actor,
        memo=reason,
        reverses=tx,
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
