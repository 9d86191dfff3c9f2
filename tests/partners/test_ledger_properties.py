"""Property-based (Hypothesis state machine): any sequence of earn / adjust / redeem / cancel /
fulfil / expire / reverse keeps every transaction summing to zero, every stored balance equal to
the sum of its entries, no partner balance below zero, the available points and the stock equal
to a model kept beside, and ``verify_ledger`` clean."""

from datetime import timedelta
from itertools import count

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from governance.models import Role
from partners import services
from partners.models import Account, LedgerTransaction, Redemption
from tests.partners.conftest import make_partner

pytestmark = pytest.mark.django_db

K = Account.Kind
STOCK = 6
COST = 15


def test_any_sequence_of_operations_keeps_the_ledger_sound(area_tree, make_user):
    east = area_tree["east"]
    staff = make_user(Role.COMMUNITY_STAFF, east, username="prop_staff")
    serial = count()

    class Ledger(RuleBasedStateMachine):
        @initialize()
        def setup(self):
            n = next(serial)
            self.user = make_user(Role.PARTNER, east, username=f"prop_partner{n}")
            self.partner = make_partner(community=east, user=self.user, name=f"性质测试{n}")
            self.reward = services.reward_save(
                community=east, name=f"礼包{n}", kind="goods", cost=COST, stock=STOCK, actor=staff
            )
            self.available, self.stock = 0, STOCK
            self.pending: list[int] = []
            self.reversible: list[int] = []
            self.reversed: set[int] = set()
            self.keys = count()

        def key(self) -> str:
            return f"prop:{self.partner.pk}:{next(self.keys)}"

        @rule(points=st.integers(min_value=1, max_value=60))
        def earn(self, points):
            tx, _ = services.ledger_post(
                community=east,
                kind=LedgerTransaction.Kind.EARN,
                key=self.key(),
                lines=[
                    (services.system_account(community=east, kind=K.ISSUED), -points),
                    (services.partner_account(partner=self.partner), points),
                ],
            )
            self.available += points
            self.reversible.append(tx.pk)

        @rule(points=st.integers(min_value=-60, max_value=60).filter(bool))
        def adjust(self, points):
            try:
                adjustment = services.adjustment_request(
                    partner=self.partner, points=points, reason="性质测试", actor=staff
                )
            except services.InsufficientPoints:
                assert self.available + points < 0
                return
            self.available += points
            self.reversible.append(LedgerTransaction.objects.get(idempotency_key=adjustment.ledger_key).pk)

        @rule(quantity=st.integers(min_value=1, max_value=3), repeat=st.booleans())
        def redeem(self, quantity, repeat):
            key = self.key()
            try:
                redemption, created = services.redemption_create(
                    partner=self.partner, reward=self.reward, quantity=quantity, actor=self.user, key=key
                )
            except services.InsufficientPoints:
                assert self.available < COST * quantity
                return
            except services.OutOfStock:
                assert self.stock < quantity
                return
            assert created
            if repeat:  # the same key again writes nothing
                again, created_again = services.redemption_create(
                    partner=self.partner, reward=self.reward, quantity=quantity, actor=self.user, key=key
                )
                assert (again.pk, created_again) == (redemption.pk, False)
            self.available -= COST * quantity
            self.stock -= quantity
            self.pending.append(redemption.pk)

        @precondition(lambda self: self.pending)
        @rule(data=st.data(), how=st.sampled_from(["cancel", "fulfil", "expire"]))
        def close(self, data, how):
            pk = data.draw(st.sampled_from(self.pending))
            redemption = Redemption.objects.get(pk=pk)
            if how == "cancel":
                services.redemption_cancel(redemption=redemption, actor=self.user)
            elif how == "fulfil":
                services.redemption_fulfil(redemption=redemption, actor=staff)
            else:
                Redemption.objects.filter(pk=pk).update(expires_at=timezone.now() - timedelta(seconds=1))
                assert services.redemption_expire(redemption_id=pk) is True
            if how != "fulfil":
                self.available += redemption.points
                self.stock += redemption.quantity
            self.pending.remove(pk)

        @precondition(lambda self: self.reversible)
        @rule(data=st.data())
        def reverse(self, data):
            tx = LedgerTransaction.objects.get(pk=data.draw(st.sampled_from(self.reversible)))
            amount = tx.entries.get(account__partner=self.partner).amount
            if tx.pk in self.reversed:
                with pytest.raises(services.AlreadyReversed):
                    services.ledger_reverse(tx=tx, actor=staff, reason="再次冲正")
                return
            try:
                services.ledger_reverse(tx=tx, actor=staff, reason="冲正测试")
            except services.InsufficientPoints:
                assert self.available - amount < 0
                return
            self.reversed.add(tx.pk)
            self.available -= amount

        @invariant()
        def balances_match_the_model(self):
            if not hasattr(self, "partner"):
                return
            assert Account.objects.get(partner=self.partner).balance == self.available
            self.reward.refresh_from_db()
            assert self.reward.stock == self.stock
            hold = Account.objects.filter(community=east, kind=K.HOLD).values_list("balance", flat=True).first() or 0
            assert hold >= 0

        def teardown(self):
            if hasattr(self, "partner"):
                assert services.ledger_verify().problems == []

    run_state_machine_as_test(
        Ledger,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
