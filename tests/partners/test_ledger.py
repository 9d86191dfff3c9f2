"""The ledger on the default database: balanced postings, idempotency, append-only rows, the
hash chain, reversal once, and ``verify_ledger`` clean or naming the first mismatch."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from governance.exceptions import DomainError
from partners import services
from partners.models import Account, AppendOnlyError, LedgerBook, LedgerCheckpoint, LedgerEntry, LedgerTransaction
from tests.partners.conftest import grant

pytestmark = pytest.mark.django_db
K = Account.Kind


def test_a_posting_moves_both_balances_and_records_the_running_balance(partner, area_tree):
    grant(partner, 30, "t:1")
    grant(partner, 12, "t:2")
    issued = Account.objects.get(community=area_tree["east"], kind=K.ISSUED)
    mine = Account.objects.get(partner=partner)
    assert (issued.balance, mine.balance) == (-42, 42)
    assert list(mine.entries.order_by("id").values_list("amount", "balance_after")) == [(30, 30), (12, 42)]
    assert list(issued.entries.order_by("id").values_list("amount", "balance_after")) == [(-30, -30), (-12, -42)]


def test_the_same_idempotency_key_twice_posts_once(partner):
    first = grant(partner, 30, "same-key")
    second = grant(partner, 30, "same-key")
    assert second.pk == first.pk
    assert LedgerTransaction.objects.count() == 1
    assert LedgerEntry.objects.count() == 2
    assert Account.objects.get(partner=partner).balance == 30


def test_unbalanced_lines_are_refused_and_nothing_is_written(partner, area_tree):
    issued = services.system_account(community=area_tree["east"], kind=K.ISSUED)
    with pytest.raises(services.UnbalancedPosting):
        services.ledger_post(
            community=area_tree["east"],
            kind=LedgerTransaction.Kind.ADJUST,
            key="bad",
            lines=[(issued, -10), (services.partner_account(partner=partner), 9)],
        )
    assert LedgerTransaction.objects.count() == 0


def test_an_account_of_another_community_cannot_be_posted_to(partner, west_partner, area_tree):
    with pytest.raises(services.UnbalancedPosting):
        services.ledger_post(
            community=area_tree["east"],
            kind=LedgerTransaction.Kind.ADJUST,
            key="cross",
            lines=[
                (services.system_account(community=area_tree["east"], kind=K.ISSUED), -5),
                (services.partner_account(partner=west_partner), 5),
            ],
        )


def test_a_partner_balance_cannot_go_below_zero(partner, area_tree):
    grant(partner, 10, "t:1")
    with pytest.raises(services.InsufficientPoints) as exc:
        services.ledger_post(
            community=area_tree["east"],
            kind=LedgerTransaction.Kind.ADJUST,
            key="overdraw",
            lines=[
                (services.partner_account(partner=partner), -11),
                (services.system_account(community=area_tree["east"], kind=K.ISSUED), 11),
            ],
        )
    assert exc.value.code == "insufficient_points"
    assert exc.value.detail == "积分不足：可用 10 分，需要 11 分。"
    assert Account.objects.get(partner=partner).balance == 10
    assert LedgerTransaction.objects.count() == 1


def test_the_check_constraint_refuses_a_negative_partner_balance_written_directly(partner):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(partner=partner).update(balance=-1)


def test_ledger_rows_refuse_update_and_delete(partner):
    tx = grant(partner, 10, "t:1")
    entry = tx.entries.first()
    entry.amount = 999
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=5)
    with pytest.raises(AppendOnlyError):
        LedgerTransaction.objects.all().delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == 10


def test_each_transaction_carries_the_hash_of_its_predecessor(partner, area_tree):
    first = grant(partner, 10, "t:1")
    second = grant(partner, 5, "t:2")
    assert first.prev_hash == ""
    assert second.prev_hash == first.hash
    assert (first.sequence, second.sequence) == (1, 2)
    assert len(first.hash) == 64
    book = LedgerBook.objects.get(community=area_tree["east"])
    assert (book.sequence, book.head_hash) == (2, second.hash)


def test_each_community_has_its_own_chain(partner, west_partner):
    east = grant(partner, 10, "e:1")
    west = grant(west_partner, 10, "w:1")
    assert (east.sequence, west.sequence) == (1, 1)
    assert west.prev_hash == ""
    assert east.book_id != west.book_id


def test_a_transaction_is_reversed_once(partner, east_staff):
    tx = grant(partner, 10, "t:1")
    reversal = services.ledger_reverse(tx=tx, actor=east_staff, reason="重复发放")
    assert reversal.reverses_id == tx.pk
    assert list(reversal.entries.order_by("amount").values_list("amount", flat=True)) == [-10, 10]
    assert Account.objects.get(partner=partner).balance == 0
    with pytest.raises(services.AlreadyReversed):
        services.ledger_reverse(tx=tx, actor=east_staff, reason="再来一次")
    assert LedgerTransaction.objects.count() == 2


def test_a_reversal_needs_a_reason(partner, east_staff):
    tx = grant(partner, 10, "t:1")
    with pytest.raises(DomainError) as exc:
        services.ledger_reverse(tx=tx, actor=east_staff, reason="  ")
    assert exc.value.code == "reason_required"


def test_a_reversal_that_would_overdraw_is_refused(partner, area_tree, east_staff):
    tx = grant(partner, 10, "t:1")
    services.ledger_post(
        community=area_tree["east"],
        kind=LedgerTransaction.Kind.ADJUST,
        key="spend",
        lines=[
            (services.partner_account(partner=partner), -8),
            (services.system_account(community=area_tree["east"], kind=K.REDEEMED), 8),
        ],
    )
    with pytest.raises(services.InsufficientPoints):
        services.ledger_reverse(tx=tx, actor=east_staff, reason="误发")
    assert not LedgerTransaction.objects.filter(reverses=tx).exists()


def test_verify_ledger_passes_on_a_clean_ledger_and_records_a_checkpoint(partner, west_partner, capsys):
    grant(partner, 10, "e:1")
    grant(partner, 7, "e:2")
    grant(west_partner, 3, "w:1")
    call_command("verify_ledger")
    assert "账本校验通过：3 笔交易，2 个账簿" in capsys.readouterr().out
    checkpoint = LedgerCheckpoint.objects.get()
    assert checkpoint.ok is True
    assert checkpoint.transactions == 3
    assert checkpoint.totals == {"issued": -20, "partner": 20}


def _tamper(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run the deferred balance checks now
            cursor.execute("ALTER TABLE partners_ledgerentry DISABLE TRIGGER partners_ledgerentry_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE partners_ledgerentry ENABLE TRIGGER partners_ledgerentry_append_only")


def test_verify_ledger_fails_naming_the_tampered_transaction(partner):
    grant(partner, 10, "e:1")
    second = grant(partner, 7, "e:2")
    entry = second.entries.get(amount=7)
    _tamper("UPDATE partners_ledgerentry SET amount = 70 WHERE id = %s", [entry.pk])
    with pytest.raises(CommandError) as exc:
        call_command("verify_ledger")
    assert str(exc.value).startswith(f"账本校验失败：交易 #{second.pk}（e:2，账簿 东升社区 第 2 笔）")
    checkpoint = LedgerCheckpoint.objects.get()
    assert checkpoint.ok is False
    assert f"交易 #{second.pk}" in checkpoint.problem


def test_verify_ledger_fails_when_a_stored_balance_drifts(partner):
    grant(partner, 10, "e:1")
    Account.objects.filter(partner=partner).update(balance=11)
    result = services.ledger_verify()
    account = Account.objects.get(partner=partner)
    assert result.ok is False
    assert f"账户 #{account.pk}（张律师）：余额 11 与分录合计 10 不符" in result.problems


def test_a_failed_check_notifies_the_admins(partner, make_user, area_tree):
    from governance.models import Notification, Role

    admin = make_user(Role.ADMIN, area_tree["district"], username="admin1")
    grant(partner, 10, "e:1")
    Account.objects.filter(partner=partner).update(balance=11)
    result = services.ledger_checkpoint()
    assert result.ok is False
    assert Notification.objects.filter(recipient=admin, title="积分账本校验失败").count() == 1
