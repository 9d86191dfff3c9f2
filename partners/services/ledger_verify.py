"""Verifying the whole ledger (every chain, every balance) and recording the checkpoint."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from governance.models import Role, User
from governance.outbox import notification_enqueue
from partners.models import Account, LedgerBook, LedgerCheckpoint, LedgerEntry, LedgerTransaction
from partners.services.ledger_hash import transaction_hash

K = Account.Kind


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
