"""Migrations 0006–0008 keep the data: rows written under 0005 (one agreement per case, follow-ups
on the case, a visit the old reopen bulk-marked done with no outcome) read the new way afterwards.
A reopened case's old agreement is an ended round (superseded)."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from governance.models import Area

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("mediation", "0005_agreement_signature")]
AFTER = [("mediation", "0008_follow_up_agreement_required")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_agreements_become_round_one_with_their_effective_day_and_visits(area_tree):
    old = _migrate(BEFORE)
    try:
        Case = old.get_model("mediation", "Case")
        Party = old.get_model("mediation", "Party")
        Agreement = old.get_model("mediation", "Agreement")
        Signature = old.get_model("mediation", "AgreementSignature")
        FollowUp = old.get_model("mediation", "FollowUp")
        east = Area.objects.get(pk=area_tree["east"].pk)
        d = datetime.date

        def case(n, status):
            return Case.objects.create(
                number=f"（2026）东升调字第{n}号", centre_id=east.pk, year=2026, sequence=n, tier="village",
                handling_area_id=east.pk, type="neighbour", description="x", area_id=east.pk, source="walk_in",
                status=status, status_changed_at=timezone.now(),
            )  # fmt: skip

        signed_late = case(1, "agreed")  # both signed, the second one 5 days after the agreement
        half_signed = case(2, "agreed")  # one party has not signed
        reopened = case(3, "reopened")  # the old reopen marked the month visit done, no outcome
        agreements = {}
        for c in (signed_late, half_signed, reopened):
            a = Party.objects.create(case=c, role="applicant", name="王小明")
            b = Party.objects.create(case=c, role="respondent", name="李大壮")
            agreement = Agreement.objects.create(case=c, terms="赔偿", signed_on=d(2026, 11, 1))
            agreements[c.pk] = agreement
            Signature.objects.create(agreement=agreement, party=a, signed_on=d(2026, 11, 1), method="in_person")
            if c != half_signed:
                Signature.objects.create(
                    agreement=agreement, party=b, signed_on=d(2026, 11, 6), method="after_the_fact"
                )
            FollowUp.objects.create(case=c, kind="week", due_on=d(2026, 11, 8), remind_on=d(2026, 11, 7))
            FollowUp.objects.create(case=c, kind="month", due_on=d(2026, 12, 1), remind_on=d(2026, 11, 30))
        FollowUp.objects.filter(case=reopened, kind="week").update(status="done", outcome="recurred")
        FollowUp.objects.filter(case=reopened, kind="month").update(
            status="done", outcome="", note="案件重新启动，本次回访取消"
        )
    finally:
        new = _migrate(AFTER)
    Agreement = new.get_model("mediation", "Agreement")
    FollowUp = new.get_model("mediation", "FollowUp")
    rows = Agreement.objects.order_by("case__sequence")
    assert [(a.case.sequence, a.round, a.effective_on, a.superseded_at is not None) for a in rows] == [
        (1, 1, datetime.date(2026, 11, 6), False),
        (2, 1, None, False),
        (3, 1, datetime.date(2026, 11, 6), True),  # the case was reopened: an ended round
    ]
    visits = sorted(
        FollowUp.objects.values_list("case__sequence", "agreement__case__sequence", "kind", "due_on", "status")
    )
    assert visits == [
        (1, 1, "month", datetime.date(2026, 12, 6), "pending"),  # moved: counts from 2026-11-06
        (1, 1, "week", datetime.date(2026, 11, 13), "pending"),
        (2, 2, "month", datetime.date(2026, 12, 1), "pending"),  # not in force: left where it was
        (2, 2, "week", datetime.date(2026, 11, 8), "pending"),
        (3, 3, "month", datetime.date(2026, 12, 1), "cancelled"),
        (3, 3, "week", datetime.date(2026, 11, 8), "done"),
    ]
