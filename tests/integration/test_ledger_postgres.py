"""The ledger under real concurrency on PostgreSQL: threads, each with its own connection.

- N redemption postings against an account that can afford K: exactly K succeed, none overdraws;
- N posts of one idempotency key: one transaction;
- a redemption race over an account and a stock: neither overdrawn nor oversold;
- two staff verifying one service record at once: one posting;
- eight staff adjusting eight partners of one book at once: no lost update, a dense chain;
- first postings at once in a community with no book or system account yet: each opened once;
- the database itself refuses UPDATE/DELETE of ledger rows and an unbalanced transaction, and
  ``verify_ledger`` names a row changed with the guard switched off.

Skips without PostgreSQL (fails under REQUIRE_SERVICES=1).
"""

import threading
from collections import Counter
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, connections, transaction

from governance.exceptions import DomainError
from governance.models import Role
from partners import services
from partners.models import Account, LedgerEntry, LedgerTransaction, Partner, Redemption, ServiceRecord
from tests.partners.conftest import grant, make_partner

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
K = Account.Kind


def run_concurrently(n: int, work) -> list:
    """Run ``work(i)`` in ``n`` threads released together; returns each result or exception."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def runner(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.fixture
def east_partner(require_postgres, make_user, area_tree):
    user = make_user(Role.PARTNER, area_tree["east"], username="pg_partner")
    return make_partner(community=area_tree["east"], user=user)


def _spend(partner: Partner, points: int, key: str):
    community = partner.community
    tx, created = services.ledger_post(
        community=community,
        kind=LedgerTransaction.Kind.ADJUST,
        key=key,
        lines=[
            (services.partner_account(partner=partner), -points),
            (services.system_account(community=community, kind=K.REDEEMED), points),
        ],
    )
    return tx.pk, created


def test_n_concurrent_spends_against_a_balance_for_k_never_overdraw(east_partner, area_tree):
    grant(east_partner, 50, "seed")
    services.system_account(community=area_tree["east"], kind=K.REDEEMED)
    results = run_concurrently(20, lambda i: _spend(east_partner, 10, f"spend:{i}"))
    succeeded = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, services.InsufficientPoints)]
    assert (len(succeeded), len(refused)) == (5, 15), results
    assert Account.objects.get(partner=east_partner).balance == 0
    assert Account.objects.get(community=area_tree["east"], kind=K.REDEEMED).balance == 50
    assert services.ledger_verify().problems == []


def test_concurrent_posts_of_one_key_post_once(east_partner, area_tree):
    issued = services.system_account(community=area_tree["east"], kind=K.ISSUED)
    account = services.partner_account(partner=east_partner)

    def post(_i):
        tx, created = services.ledger_post(
            community=area_tree["east"],
            kind=LedgerTransaction.Kind.EARN,
            key="service-record:42",
            lines=[(issued, -10), (account, 10)],
        )
        return tx.pk, created

    results = run_concurrently(12, post)
    assert all(isinstance(r, tuple) for r in results), results
    assert len({pk for pk, _created in results}) == 1
    assert Counter(created for _pk, created in results) == Counter({True: 1, False: 11})
    assert LedgerTransaction.objects.count() == 1
    assert Account.objects.get(pk=account.pk).balance == 10
    assert services.ledger_verify().problems == []


def test_concurrent_redemptions_neither_overdraw_nor_oversell(east_partner, area_tree, east_staff):
    grant(east_partner, 100, "seed")  # affords 10 at 10 points
    reward = services.reward_save(
        community=area_tree["east"], name="米面油礼包", kind="goods", cost=10, stock=7, actor=east_staff
    )
    user = east_partner.users.get()

    def redeem(i):
        redemption, created = services.redemption_create(
            partner=east_partner, reward=reward, quantity=1, actor=user, key=f"k{i % 10}"
        )
        return redemption.pk, created

    results = run_concurrently(30, redeem)  # 10 distinct keys, each sent 3 times
    ok = [r for r in results if isinstance(r, tuple)]
    out_of_stock = [r for r in results if isinstance(r, services.OutOfStock)]
    assert len({pk for pk, _ in ok}) == 7, results
    assert Counter(c for _pk, c in ok)[True] == 7
    assert len(out_of_stock) + len(ok) == 30
    assert Redemption.objects.count() == 7
    reward.refresh_from_db()
    assert reward.stock == 0
    assert Account.objects.get(partner=east_partner).balance == 30
    assert Account.objects.get(community=area_tree["east"], kind=K.HOLD).balance == 70
    assert services.ledger_verify().problems == []


def test_two_staff_verifying_one_record_at_once_post_once(east_partner, area_tree, make_user):
    staff = [make_user(Role.COMMUNITY_STAFF, area_tree["east"], username=f"pg_staff{i}") for i in range(4)]
    rule = services.earning_rule_save(community=area_tree["east"], activity="法律咨询", points=10, actor=staff[0])
    record = services.service_record_submit(
        partner=east_partner, rule=rule, served_on=date(2026, 11, 20), actor=east_partner.users.get()
    )

    def verify(i):
        fresh = ServiceRecord.objects.get(pk=record.pk)
        services.service_record_verify(record=fresh, actor=staff[i])
        return "ok"

    results = run_concurrently(4, verify)
    assert results.count("ok") == 1, results
    assert all(
        isinstance(r, DomainError) and r.code in {"stale_state", "invalid_transition"} for r in results if r != "ok"
    )
    assert LedgerTransaction.objects.filter(idempotency_key=f"service-record:{record.pk}").count() == 1
    assert Account.objects.get(partner=east_partner).balance == 10


def test_concurrent_adjustments_for_many_partners_lose_no_update(area_tree, east_staff, make_user, require_postgres):
    """Eight staff requests at once, each for its own partner, all through the community's one book
    and its one issuing account (one ``UPDATE`` for both balances): every posting counted once."""
    partners = [
        make_partner(
            community=area_tree["east"],
            user=make_user(Role.PARTNER, area_tree["east"], username=f"pg_p{i}"),
            name=f"志愿者{i}",
        )
        for i in range(8)
    ]
    rounds = 6

    def adjust(i):
        for n in range(rounds):
            services.adjustment_request(partner=partners[i], points=i + 1, reason=f"补记 {n}", actor=east_staff)
        return "ok"

    results = run_concurrently(8, adjust)
    assert results == ["ok"] * 8, results
    assert [Account.objects.get(partner=p).balance for p in partners] == [6, 12, 18, 24, 30, 36, 42, 48]
    assert Account.objects.get(community=area_tree["east"], kind=K.ISSUED).balance == -216
    book = services.book_for(community=area_tree["east"])
    assert list(LedgerTransaction.objects.filter(book=book).values_list("sequence", flat=True)) == list(range(1, 49))
    assert book.sequence == 48
    assert services.ledger_verify().problems == []


def test_concurrent_first_postings_open_the_book_and_the_accounts_once(area_tree, make_user, require_postgres):
    """No book and no system account yet in the community: six first postings at once open each once."""
    partners = [
        make_partner(
            community=area_tree["west"],
            user=make_user(Role.PARTNER, area_tree["west"], username=f"pg_w{i}"),
            name=f"西{i}",
        )
        for i in range(6)
    ]
    assert not Account.objects.filter(community=area_tree["west"], partner__isnull=True).exists()

    def first(i):
        _tx, created = services.ledger_post(
            community=area_tree["west"],
            kind=LedgerTransaction.Kind.ADJUST,
            key=f"first:{i}",
            lines=[(K.ISSUED, -10), (partners[i], 10)],
        )
        return created

    results = run_concurrently(6, first)
    assert results == [True] * 6, results
    assert Account.objects.filter(community=area_tree["west"], kind=K.ISSUED).count() == 1
    assert Account.objects.get(community=area_tree["west"], kind=K.ISSUED).balance == -60
    assert services.book_for(community=area_tree["west"]).sequence == 6
    assert services.ledger_verify().problems == []


def test_postgres_refuses_updating_or_deleting_a_ledger_row(east_partner):
    tx = grant(east_partner, 10, "seed")
    entry = tx.entries.first()
    for sql in (
        "UPDATE partners_ledgerentry SET amount = amount + 1 WHERE id = %s",
        "DELETE FROM partners_ledgerentry WHERE id = %s",
    ):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE partners_ledgertransaction SET memo = 'x' WHERE id = %s", [tx.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).amount == entry.amount


def test_postgres_refuses_an_unbalanced_transaction_at_commit(east_partner):
    tx = grant(east_partner, 10, "seed")
    account = Account.objects.get(partner=east_partner)
    with (
        pytest.raises(DatabaseError, match="does not balance"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO partners_ledgerentry (transaction_id, account_id, amount, balance_after)"
            " VALUES (%s, %s, 5, 15)",
            [tx.pk, account.pk],
        )
    assert LedgerEntry.objects.filter(transaction=tx).count() == 2


def test_verify_ledger_names_an_entry_changed_behind_the_guard(east_partner):
    grant(east_partner, 10, "seed")
    tampered = grant(east_partner, 5, "second")
    entry = tampered.entries.get(amount=5)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE partners_ledgerentry DISABLE TRIGGER partners_ledgerentry_append_only")
        cursor.execute("UPDATE partners_ledgerentry SET amount = 500, balance_after = 510 WHERE id = %s", [entry.pk])
        cursor.execute("ALTER TABLE partners_ledgerentry ENABLE TRIGGER partners_ledgerentry_append_only")
    with pytest.raises(CommandError) as exc:
        call_command("verify_ledger")
    assert str(exc.value) == (f"账本校验失败：交易 #{tampered.pk}（second，账簿 东升社区 第 2 笔）：分录合计不为零")


def test_200_concurrent_redemption_requests_over_http(east_partner, area_tree, east_staff, live_server):
    """50 keys each sent 4 times by 16 client threads, against an account that can afford 10 and a
    reward with stock 7: exactly 7 vouchers, every repeat of a key answered with its first body."""
    import http.client
    import json
    from concurrent.futures import ThreadPoolExecutor

    from rest_framework.authtoken.models import Token

    grant(east_partner, 100, "seed")
    reward = services.reward_save(
        community=area_tree["east"], name="米面油礼包", kind="goods", cost=10, stock=7, actor=east_staff
    )
    token = Token.objects.create(user=east_partner.users.get()).key

    host, port = live_server.thread.host, live_server.thread.port

    def send(i: int) -> tuple[str, int, dict]:
        key = f"client-key-{i % 50}"
        conn = http.client.HTTPConnection(host, port, timeout=60)
        try:
            conn.request(
                "POST",
                "/api/v1/redemptions/",
                body=json.dumps({"reward": reward.pk, "quantity": 1}),
                headers={"Authorization": f"Token {token}", "Content-Type": "application/json", "Idempotency-Key": key},
            )
            response = conn.getresponse()
            return key, response.status, json.loads(response.read())
        finally:
            conn.close()

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(send, range(200)))
    connections.close_all()

    created = [(key, body) for key, code, body in results if code == 201]
    refused = Counter(body["code"] for _key, code, body in results if code != 201)
    by_key: dict[str, set] = {}
    for key, body in created:
        by_key.setdefault(key, set()).add(body["id"])
    assert all(len(ids) == 1 for ids in by_key.values()), by_key
    assert len(by_key) == 7
    assert set(refused) == {"out_of_stock"}, refused
    assert Redemption.objects.count() == 7
    reward.refresh_from_db()
    assert reward.stock == 0
    assert Account.objects.get(partner=east_partner).balance == 30
    assert Account.objects.get(community=area_tree["east"], kind=K.HOLD).balance == 70
    assert services.ledger_verify().problems == []


def test_concurrent_claims_never_exceed_the_slots(area_tree, east_staff, make_user, require_postgres):
    project = services.project_publish(
        community=area_tree["east"], title="社区巡逻", slots=3, points_per_slot=5, actor=east_staff
    )
    partners = [
        make_partner(
            community=area_tree["east"],
            user=make_user(Role.PARTNER, area_tree["east"], username=f"c{i}"),
            name=f"认领{i}",
        )
        for i in range(12)
    ]

    def claim(i):
        services.project_claim(project=project, partner=partners[i], actor=partners[i].users.get())
        return "ok"

    results = run_concurrently(12, claim)
    assert results.count("ok") == 3, results
    assert all(isinstance(r, services.SlotsFull) for r in results if r != "ok")
    project.refresh_from_db()
    assert project.claimed == 3
    assert project.claims.count() == 3
