"""What one posting costs in statements: each row read once, locked once, written once.

The expected statements are literal (verb, table, locking?) so a regression (a second read of the
book, an account read before it is locked, one UPDATE per balance) fails here by name. On
PostgreSQL the writes are one statement (``WITH … INSERT … UPDATE …``); elsewhere four.
"""

import re

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from partners import services
from partners.models import Account, LedgerTransaction, PointsAdjustment
from partners.services import ledger
from tests.partners.conftest import grant

pytestmark = pytest.mark.django_db
K = Account.Kind

# SQLite has no row locks (its IMMEDIATE transactions serialise writers): the same statements, unlocked.
LOCKED = "FOR UPDATE" if connection.features.has_select_for_update else ""
BOOK_LOCK = ("SELECT", "partners_ledgerbook", LOCKED)
KEY_CHECK = ("SELECT", "partners_ledgertransaction", "")
ACCOUNTS_LOCK = ("SELECT", "partners_account", LOCKED)
TX_INSERT = ("INSERT", "partners_ledgertransaction", "")
ENTRIES_INSERT = ("INSERT", "partners_ledgerentry", "")
BALANCES_UPDATE = ("UPDATE", "partners_account", "")
HEAD_UPDATE = ("UPDATE", "partners_ledgerbook", "")
ON_POSTGRES = connection.vendor == "postgresql"
# The writes of one posting: the transaction, its entries, the balances, the book's head.
WRITES = (
    [("WITH", "partners_ledgertransaction", "")]
    if ON_POSTGRES
    else [TX_INSERT, ENTRIES_INSERT, BALANCES_UPDATE, HEAD_UPDATE]
)


def shape(sql: str) -> tuple[str, str, str]:
    """``(verb, table, "FOR UPDATE" or "")`` of one captured statement: a SELECT's table is its
    first column's (a subquery in the select list names another)."""
    verb = sql.split(None, 1)[0].upper()
    if verb in ("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT", "ROLLBACK"):
        return (verb, "", "")
    pattern = {
        "SELECT": r'^SELECT "(\w+)"\.|\bFROM "(\w+)"',
        "INSERT": r'^INSERT INTO "(\w+)"',
        "UPDATE": r'^UPDATE "(\w+)"',
        "WITH": r"\bINSERT INTO (\w+)",
    }[verb]
    found = re.search(pattern, sql)
    table = next(group for group in found.groups() if group)
    return (verb, table, "FOR UPDATE" if re.search(r"\bFOR UPDATE\b", sql) else "")


def shapes(ctx: CaptureQueriesContext) -> list[tuple[str, str, str]]:
    return [shape(q["sql"]) for q in ctx.captured_queries]


@pytest.fixture
def accounts(partner, area_tree):
    grant(partner, 50, "seed")  # the book and the accounts exist, as after the first postings
    for kind in (K.HOLD, K.REDEEMED):
        services.system_account(community=area_tree["east"], kind=kind)
    return Account.objects.get(community=area_tree["east"], kind=K.ISSUED), Account.objects.get(partner=partner)


def test_a_posting_is_three_statements_on_postgresql(partner, area_tree, accounts):
    with CaptureQueriesContext(connection) as ctx:
        _tx, created = services.ledger_post(
            community=area_tree["east"],
            kind=LedgerTransaction.Kind.ADJUST,
            key="cost:1",
            lines=[(K.ISSUED, -5), (partner, 5)],
        )
    assert created
    assert shapes(ctx) == [BOOK_LOCK, ACCOUNTS_LOCK, *WRITES]  # the key's twin is asked in the accounts lock
    assert len(ctx.captured_queries) == (3 if ON_POSTGRES else 6)


def test_a_posting_on_a_locked_book_and_accounts_reads_neither_again(partner, area_tree, accounts):
    with CaptureQueriesContext(connection) as ctx:
        book = services.book_lock(community=area_tree["east"])
        mine, _hold = services.accounts_lock(book=book, refs=[partner, K.HOLD])
        assert mine.balance == 50
        services.ledger_post(
            community=area_tree["east"],
            kind=LedgerTransaction.Kind.REDEEM_HOLD,
            key="cost:hold",
            lines=[(mine, -20), (K.HOLD, 20)],
            book=book,
        )
        services.ledger_post(  # a second posting in the same transaction: the balances held are current
            community=area_tree["east"],
            kind=LedgerTransaction.Kind.REDEEM_HOLD,
            key="cost:hold:2",
            lines=[(partner, -30), (K.HOLD, 30)],
            book=book,
        )
    assert shapes(ctx) == [BOOK_LOCK, ACCOUNTS_LOCK, KEY_CHECK, *WRITES, KEY_CHECK, *WRITES]
    assert len(ctx.captured_queries) == (6 if ON_POSTGRES else 12)
    assert (mine.balance, Account.objects.get(partner=partner).balance) == (0, 0)
    assert Account.objects.get(community=area_tree["east"], kind=K.HOLD).balance == 50
    assert list(mine.entries.order_by("id").values_list("amount", "balance_after")) == [(50, 50), (-20, 30), (-30, 0)]
    assert services.ledger_verify().problems == []


def test_a_replayed_key_costs_the_locks_and_the_first_transaction_and_writes_nothing(partner, area_tree, accounts):
    def post():
        return services.ledger_post(
            community=area_tree["east"],
            kind=LedgerTransaction.Kind.ADJUST,
            key="cost:again",
            lines=[(K.ISSUED, -5), (partner, 5)],
        )

    first, _created = post()
    with CaptureQueriesContext(connection) as ctx:
        second, created = post()
    assert (second.pk, created) == (first.pk, False)
    assert shapes(ctx) == [BOOK_LOCK, ACCOUNTS_LOCK, ("SELECT", "partners_ledgertransaction", "")]
    assert Account.objects.get(partner=partner).balance == 55


def test_a_refused_posting_writes_nothing_and_leaves_the_transaction_usable(partner, area_tree, accounts):
    with CaptureQueriesContext(connection) as ctx, pytest.raises(services.InsufficientPoints):
        services.ledger_post(
            community=area_tree["east"],
            kind=LedgerTransaction.Kind.ADJUST,
            key="cost:overdraw",
            lines=[(partner, -51), (K.REDEEMED, 51)],
        )
    assert shapes(ctx) == [BOOK_LOCK, ACCOUNTS_LOCK]
    assert not LedgerTransaction.objects.filter(idempotency_key="cost:overdraw").exists()


def test_a_book_locked_in_an_earlier_state_cannot_extend_the_chain(partner, area_tree, accounts):
    stale = services.book_lock(community=area_tree["east"])
    grant(partner, 5, "cost:moves-the-head")  # locks and moves the head through its own book object
    with pytest.raises(IntegrityError), transaction.atomic():
        services.ledger_post(
            community=area_tree["east"],
            kind=LedgerTransaction.Kind.ADJUST,
            key="cost:stale",
            lines=[(K.ISSUED, -5), (partner, 5)],
            book=stale,
        )
    assert not LedgerTransaction.objects.filter(idempotency_key="cost:stale").exists()
    assert services.ledger_verify().problems == []


def test_an_unlocked_book_is_refused(partner, area_tree, accounts):
    with pytest.raises(ValueError, match="book_lock"):
        services.ledger_post(
            community=area_tree["east"],
            kind=LedgerTransaction.Kind.ADJUST,
            key="cost:unlocked",
            lines=[(K.ISSUED, -5), (partner, 5)],
            book=services.book_for(community=area_tree["east"]),
        )


def test_the_adjustments_api_is_nine_statements_on_postgresql(partner, east_staff, accounts):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=east_staff).key}")
    body = {"partner": partner.pk, "points": 5, "reason": "志愿服务补记"}
    with CaptureQueriesContext(connection) as ctx:
        response = client.post("/api/v1/points/adjustments/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "posted"
    posts = [] if ON_POSTGRES else [("SELECT", "governance_post", "")]  # PostgreSQL: in the token's query
    assert shapes(ctx) == [
        ("SELECT", "authtoken_token", ""),  # the token, its user and (PostgreSQL) the caller's posts
        *posts,  # the caller's posts, for the policy
        ("SELECT", "partners_partner", ""),  # the scoped selector
        ("SAVEPOINT", "", ""),  # the service's transaction (BEGIN outside a test)
        ("INSERT", "partners_pointsadjustment", ""),
        ("INSERT", "governance_auditentry", ""),
        BOOK_LOCK,  # locked only now, so the book is held for the posting alone
        ACCOUNTS_LOCK,
        *WRITES,
        ("RELEASE", "", ""),  # COMMIT outside a test
    ]
    assert len(ctx.captured_queries) == (9 if ON_POSTGRES else 13)
    assert PointsAdjustment.objects.get().status == PointsAdjustment.Status.POSTED
    assert Account.objects.get(partner=partner).balance == 55


@pytest.fixture(params=["one statement", "orm"] if ON_POSTGRES else ["orm"])
def writer(request, monkeypatch):
    """Both ways of writing a posting: PostgreSQL's one statement and the ORM's four (SQLite's)."""
    if request.param == "orm":
        monkeypatch.setattr(ledger, "_append_in_one_statement", ledger._append)
    return request.param


def test_both_writers_write_the_same_rows(partner, area_tree, accounts, writer):
    tx, created = services.ledger_post(
        community=area_tree["east"],
        kind=LedgerTransaction.Kind.ADJUST,
        key="cost:rows",
        lines=[(K.ISSUED, -7), (partner, 7)],
        memo="补记",
    )
    assert created
    assert tx.pk is not None
    stored = LedgerTransaction.objects.get(pk=tx.pk)
    assert (stored.sequence, stored.kind, stored.memo, stored.hash) == (2, "adjust", "补记", tx.hash)
    issued, mine = accounts
    assert sorted(stored.entries.values_list("account_id", "amount", "balance_after")) == sorted(
        [(issued.pk, -7, -57), (mine.pk, 7, 57)]
    )
    assert Account.objects.get(pk=mine.pk).balance == 57
    assert Account.objects.get(pk=issued.pk).balance == -57
    book = services.book_for(community=area_tree["east"])
    assert (book.sequence, book.head_hash) == (2, tx.hash)
    assert services.ledger_verify().problems == []


def test_the_head_moves_only_from_the_hash_it_was_read_at(partner, area_tree, accounts, writer):
    book = services.book_lock(community=area_tree["east"])
    book.head_hash = "0" * 64  # as if another posting had moved the head since this book was read
    with pytest.raises(RuntimeError, match="moved under a posting"), transaction.atomic():
        services.ledger_post(
            community=area_tree["east"],
            kind=LedgerTransaction.Kind.ADJUST,
            key="cost:cas",
            lines=[(K.ISSUED, -5), (partner, 5)],
            book=book,
        )
    assert not LedgerTransaction.objects.filter(idempotency_key="cost:cas").exists()
    assert Account.objects.get(partner=partner).balance == 50
    assert services.ledger_verify().problems == []


def test_a_memo_longer_than_its_column_is_hashed_as_stored(partner, east_staff, accounts):
    reason = "补" * 300  # an adjustment's reason may be 300 characters; the memo keeps 200
    services.adjustment_request(partner=partner, points=5, reason=reason, actor=east_staff)
    assert LedgerTransaction.objects.get(kind="adjust", memo__startswith="补").memo == "补" * 200
    assert services.ledger_verify().problems == []
