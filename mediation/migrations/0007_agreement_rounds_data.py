"""Data of 0006 read the new way (a migration of its own: on PostgreSQL the schema change's
deferred index creation cannot follow row updates in the same transaction)."""

import datetime

import django.utils.timezone
from django.db import migrations

FOLLOW_UP_DAYS = {"week": 7, "month": 30}


def forwards(apps, schema_editor):
    """Data kept as it was, read the new way: every existing agreement is round 1 (one per case
    before this migration) and current; it took effect on its last party signature if every party
    of the case has signed; its follow-ups belong to it, and the pending ones count from the day it
    took effect (their reminder/overdue stamps are kept: nobody is told twice). A visit the old
    reopen marked done with no outcome (a bulk update) is what it was: cancelled. The agreement of a
    case reopened since (no longer agreed or closed) belongs to an ended round: superseded, at the
    time the case was reopened."""
    Agreement = apps.get_model("mediation", "Agreement")
    CaseTimelineEntry = apps.get_model("mediation", "CaseTimelineEntry")
    Party = apps.get_model("mediation", "Party")
    AgreementSignature = apps.get_model("mediation", "AgreementSignature")
    FollowUp = apps.get_model("mediation", "FollowUp")
    for agreement in Agreement.objects.select_related("case").iterator():
        parties = set(Party.objects.filter(case_id=agreement.case_id).values_list("pk", flat=True))
        signed = dict(AgreementSignature.objects.filter(agreement=agreement).values_list("party_id", "signed_on"))
        if parties and parties <= set(signed):
            effective = max(signed[pk] for pk in parties)
            Agreement.objects.filter(pk=agreement.pk).update(effective_on=effective)
        else:
            effective = None
        FollowUp.objects.filter(case_id=agreement.case_id).update(agreement=agreement)
        if agreement.case.status not in ("agreed", "closed"):
            reopened = (
                CaseTimelineEntry.objects.filter(case_id=agreement.case_id, to_status="reopened")
                .order_by("-created_at")
                .values_list("created_at", flat=True)
                .first()
            )
            Agreement.objects.filter(pk=agreement.pk).update(superseded_at=reopened or django.utils.timezone.now())
        if effective is not None and effective != agreement.signed_on:
            for follow_up in FollowUp.objects.filter(agreement=agreement, status="pending"):
                due = effective + datetime.timedelta(days=FOLLOW_UP_DAYS[follow_up.kind])
                FollowUp.objects.filter(pk=follow_up.pk).update(due_on=due, remind_on=due - datetime.timedelta(days=1))
    FollowUp.objects.filter(status="done", outcome="", done_by__isnull=True).update(status="cancelled")


def backwards(apps, schema_editor):
    FollowUp = apps.get_model("mediation", "FollowUp")
    FollowUp.objects.filter(status="cancelled").update(status="done", outcome="")


class Migration(migrations.Migration):
    dependencies = [
        ("mediation", "0006_agreement_rounds"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
