"""Reads of mediation, with the confidentiality scoping every door uses.

Who sees a case (个人信息保护法): its assigned mediators, and the supervisors (街道督办 posts) of the
centre handling it and of the tiers above it; a superuser. For everyone else — community staff,
grid workers, other mediators, residents — the case does not exist (404). A resident who filed a
case online sees its public-safe progress only, through :func:`own_filed_cases`, never the case
page.

After a hand-up to a higher tier the lower tier keeps *reading* the case — the mediators who handed
it over and the supervisors of the centre that handed it up — but acts on nothing
(``mediation.policies``); their figures and work lists leave it out (``handed_over=False``).
"""

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from governance.models import Area, Role, User
from governance.selectors import area_ancestors, jurisdiction_paths
from grids.models import Event
from grids.selectors import event_get_for_user
from mediation.models import (
    Agreement,
    AgreementSignature,
    Case,
    CaseMediator,
    CaseTimelineEntry,
    FollowUp,
    MediatorProfile,
    Party,
    PartyRelation,
    Session,
    Tier,
)

SUPERVISOR_ROLES = frozenset({Role.STREET_SUPERVISOR})

# The area level of each tier's centre.
TIER_LEVEL = {Tier.VILLAGE: Area.Level.COMMUNITY, Tier.TOWNSHIP: Area.Level.STREET, Tier.COUNTY: Area.Level.DISTRICT}
LEVEL_TIER = {level: tier for tier, level in TIER_LEVEL.items()}


def _active(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def case_scope_q(*, user: User, handed_over: bool = True) -> Q:
    """Rows of ``Case`` the user may see, as conditions on the case's own columns (no join).

    With ``handed_over`` (the default: every list, detail and API door) the cases the user's tier
    handed up to a higher centre are included — read-only for them (``mediation.policies``): a
    mediator's hand-over is on their assignment; a supervisor's is "over the registering centre
    (``Case.centre``) but no longer over the handling one", since escalation only ever moves the
    handling centre up the registering centre's chain of ancestors. Without it, only the cases the
    user works on or supervises now (the supervisor's figures and work lists)."""
    if not _active(user):
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    assignments = CaseMediator.objects.filter(mediator=user)
    if not handed_over:
        assignments = assignments.filter(handed_over_at__isnull=True)
    scope = Q(pk__in=assignments.values("case_id"))
    for path in jurisdiction_paths(user=user, roles=SUPERVISOR_ROLES) or []:
        scope |= Q(handling_area__path__startswith=path)
        if handed_over:
            scope |= Q(centre__path__startswith=path)
    return scope


def visible_cases(*, user: User, handed_over: bool = True) -> QuerySet[Case]:
    return Case.objects.filter(case_scope_q(user=user, handed_over=handed_over))


def case_assignment(*, user: User, case: Case) -> CaseMediator | None:
    """The user's place on the case, handed over or not (None: not a mediator of it)."""
    if not _active(user):
        return None
    return CaseMediator.objects.filter(case=case, mediator=user).first()


def is_case_mediator(*, user: User, case: Case) -> bool:
    """A mediator now acting on the case (lead or co-mediator, not handed over to a higher tier)."""
    if not _active(user):
        return False
    return CaseMediator.objects.filter(case=case, mediator=user, handed_over_at__isnull=True).exists()


def is_handed_over_mediator(*, user: User, case: Case) -> bool:
    """A lower-tier mediator who handed the case up and was not kept on it: reads, no longer acts."""
    if not _active(user):
        return False
    return CaseMediator.objects.filter(case=case, mediator=user, handed_over_at__isnull=False).exists()


def is_case_lead(*, user: User, case: Case) -> bool:
    if not _active(user):
        return False
    return CaseMediator.objects.filter(case=case, mediator=user, is_lead=True, handed_over_at__isnull=True).exists()


def acting_mediators(*, case_id: int) -> QuerySet[User]:
    """The case's mediators who are told about its sessions and visits (not those handed over)."""
    ids = CaseMediator.objects.filter(case_id=case_id, handed_over_at__isnull=True).values("mediator_id")
    return User.objects.filter(pk__in=ids, is_active=True)


def is_case_supervisor(*, user: User, case: Case) -> bool:
    """A supervisor of the centre handling the case, or of a tier above it."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    paths = jurisdiction_paths(user=user, roles=SUPERVISOR_ROLES) or []
    return any(case.handling_area.path.startswith(path) for path in paths)


def is_handed_over_supervisor(*, user: User, case: Case) -> bool:
    """A supervisor of a centre that handed the case up and is no longer over the one handling
    it: over the registering centre, not over the handling centre. Reads, no longer acts."""
    if not _active(user) or user.is_superuser:
        return False
    paths = jurisdiction_paths(user=user, roles=SUPERVISOR_ROLES) or []
    over_centre = any(case.centre.path.startswith(path) for path in paths)
    return over_centre and not any(case.handling_area.path.startswith(path) for path in paths)


def case_list(*, user: User, status: str | None = None) -> QuerySet[Case]:
    """The user's visible cases by urgency: open high-risk and near-deadline first."""
    qs = visible_cases(user=user).select_related("area", "handling_area").prefetch_related("parties")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("deadline", "-risk_level", "-created_at", "-id")


def case_get_for_user(*, user: User, pk) -> Case:
    try:
        return (
            visible_cases(user=user).select_related("area", "handling_area", "centre", "event", "filed_by").get(pk=pk)
        )
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def case_after_move(*, pk: int) -> Case:
    """The case as the actor who just moved it out of their own reach left it (unscoped: only for
    answering that move)."""
    return Case.objects.select_related("area", "handling_area", "centre", "event", "filed_by").get(pk=pk)


def case_parties(*, case: Case) -> QuerySet[Party]:
    return case.parties.select_related("building").order_by("role", "id")


def case_relations(*, case: Case) -> QuerySet[PartyRelation]:
    return case.relations.select_related("party", "other_party", "other_user").order_by("id")


def case_relation_get(*, case: Case, pk) -> PartyRelation:
    try:
        return case.relations.select_related("party").get(pk=pk)
    except (PartyRelation.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def case_mediators(*, case: Case) -> QuerySet[CaseMediator]:
    return case.assignments.select_related("mediator").order_by("-is_lead", "assigned_at", "id")


def case_timeline(*, case: Case) -> QuerySet[CaseTimelineEntry]:
    return case.timeline.select_related("actor").order_by("created_at", "id")


def case_sessions(*, case: Case) -> QuerySet[Session]:
    return case.sessions.prefetch_related("notes").order_by("scheduled_at", "id")


def case_agreement(*, case: Case) -> Agreement | None:
    """The current agreement: the latest round not superseded (None before the first one and
    between a reopen and the next agreement)."""
    return Agreement.objects.filter(case=case, superseded_at__isnull=True).order_by("-round").first()


def case_agreement_get(*, case: Case, pk) -> Agreement:
    """Any round's agreement of the case (the case already scoped by the caller), else 404."""
    try:
        return Agreement.objects.get(case=case, pk=pk)
    except (Agreement.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def case_earlier_agreements(*, case: Case) -> list[Agreement]:
    """The superseded agreements of earlier rounds, newest first, each with ``signature_rows``
    (every party and their live signature), ``withdrawn`` signatures, ``confirmation_row`` and
    ``follow_up_rows`` for the case page's history."""
    rounds = list(
        Agreement.objects.filter(case=case, superseded_at__isnull=False)
        .select_related("confirmation")
        .prefetch_related("follow_ups", "signatures__party")
        .order_by("-round")
    )
    parties = list(case_parties(case=case))
    for agreement in rounds:
        signatures = list(agreement.signatures.all())
        live = {sig.party_id: sig for sig in signatures if sig.withdrawn_at is None}
        agreement.signature_rows = [(party, live.get(party.pk)) for party in parties]
        agreement.withdrawn = [sig for sig in signatures if sig.withdrawn_at is not None]
        agreement.confirmation_row = getattr(agreement, "confirmation", None)
        agreement.follow_up_rows = sorted(agreement.follow_ups.all(), key=lambda f: (f.due_on, f.pk))
    return rounds


def case_follow_ups(*, case: Case, agreement: Agreement | None = None) -> QuerySet[FollowUp]:
    """The follow-ups of ``agreement`` — by default the current agreement's (none between a
    reopen and the next agreement; the earlier rounds' are in :func:`case_earlier_agreements`)."""
    agreement = agreement if agreement is not None else case_agreement(case=case)
    if agreement is None:
        return FollowUp.objects.none()
    return FollowUp.objects.filter(agreement=agreement).order_by("due_on", "id")


def agreement_signatures(
    *, case: Case, agreement: Agreement | None = None
) -> list[tuple[Party, AgreementSignature | None]]:
    """Every party of the case with their live (not withdrawn) signature on ``agreement`` — by
    default the current one (None: not signed yet)."""
    agreement = agreement if agreement is not None else case_agreement(case=case)
    live = AgreementSignature.objects.filter(agreement=agreement, withdrawn_at__isnull=True) if agreement else []
    signed = {sig.party_id: sig for sig in live}
    return [(party, signed.get(party.pk)) for party in case_parties(case=case)]


def withdrawn_signatures(*, agreement: Agreement) -> QuerySet[AgreementSignature]:
    return (
        AgreementSignature.objects.filter(agreement=agreement, withdrawn_at__isnull=False)
        .select_related("party", "withdrawn_by")
        .order_by("withdrawn_at", "id")
    )


def signature_get(*, case: Case, pk) -> AgreementSignature:
    """A signature on one of the case's agreements (the case already scoped), else 404."""
    try:
        return AgreementSignature.objects.select_related("agreement", "party").get(agreement__case=case, pk=pk)
    except (AgreementSignature.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def unsigned_parties(*, case: Case) -> list[Party]:
    """The parties who have not signed the current agreement (all of them when there is none)."""
    return [party for party, signature in agreement_signatures(case=case) if signature is None]


def session_get_for_user(*, user: User, pk) -> Session:
    try:
        return Session.objects.select_related("case__handling_area").get(pk=pk, case__in=visible_cases(user=user))
    except (Session.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def follow_up_get_for_user(*, user: User, pk) -> FollowUp:
    try:
        return FollowUp.objects.select_related("case__handling_area").get(pk=pk, case__in=visible_cases(user=user))
    except (FollowUp.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def my_follow_ups_due(*, user: User, days: int = 7) -> QuerySet[FollowUp]:
    """Pending follow-ups of the cases the user mediates, due within ``days`` (overdue included)."""
    until = timezone.localdate() + timezone.timedelta(days=days)
    return (
        FollowUp.objects.filter(
            status=FollowUp.Status.PENDING,
            due_on__lte=until,
            case_id__in=CaseMediator.objects.filter(mediator=user, handed_over_at__isnull=True).values("case_id"),
        )
        .select_related("case")
        .order_by("due_on", "id")
    )


def own_filed_cases(*, user: User) -> QuerySet[Case]:
    """Cases the user filed online as a party: shown as number and public-safe status only."""
    if not _active(user):
        return Case.objects.none()
    return Case.objects.filter(pk__in=Party.objects.filter(user=user).values("case_id")).order_by("-created_at")


def centre_for(*, area: Area, tier: str) -> Area | None:
    """The area of the centre of ``tier`` over ``area`` (its community, street or district)."""
    level = TIER_LEVEL[tier]
    return area_ancestors(area=area).filter(level=level).first()


def first_tier_for(*, area: Area) -> tuple[str, Area]:
    """The lowest tier whose centre lies at or above ``area``, and that centre."""
    by_level = {a.level: a for a in area_ancestors(area=area)}
    for tier in (Tier.VILLAGE, Tier.TOWNSHIP, Tier.COUNTY):
        if TIER_LEVEL[tier] in by_level:
            return tier, by_level[TIER_LEVEL[tier]]
    raise Http404


def case_supervisors(*, case: Case) -> QuerySet[User]:
    """Supervisors of the centre now handling the case (posts on it or on an area above it)."""
    ancestors = area_ancestors(area=case.handling_area).values("pk")
    return User.objects.filter(
        is_active=True, posts__is_active=True, posts__role__in=list(SUPERVISOR_ROLES), posts__area__in=ancestors
    ).distinct()


def mediator_area_paths(*, user: User) -> list[str]:
    return jurisdiction_paths(user=user, roles={Role.MEDIATOR}) or []


def mediators_for(*, case: Case, kind: str | None = None) -> QuerySet[User]:
    """Qualified mediators for the case — an active mediator post over its area, not retired from
    the registry — those of the case's tier first, then the least loaded (open cases)."""
    ancestors = area_ancestors(area=case.area).values("pk")
    qs = User.objects.filter(
        pk__in=User.objects.filter(
            is_active=True, posts__is_active=True, posts__role=Role.MEDIATOR, posts__area__in=ancestors
        ).values("pk")
    ).exclude(mediator_profile__is_active=False)
    if kind:
        qs = qs.filter(mediator_profile__kind=kind)
    return qs.annotate(
        load=Count(
            "mediation_cases",
            filter=Q(
                mediation_cases__case__status__in=list(Case.OPEN_STATUSES),
                mediation_cases__handed_over_at__isnull=True,
            ),
            distinct=True,
        ),
        same_tier=Count("mediator_profile", filter=Q(mediator_profile__tier=case.tier), distinct=True),
    ).order_by("-same_tier", "load", "id")


def mediator_profile(*, user: User) -> MediatorProfile | None:
    return MediatorProfile.objects.filter(user=user).first()


def event_for_conversion(*, user: User, pk):
    """A grid event the user may turn into a case: one the grids selectors show them, or — for a
    mediator, whom the grids do not show events — one in an area their mediator posts cover."""
    try:
        return event_get_for_user(user=user, pk=pk)
    except Http404:
        pass
    paths = mediator_area_paths(user=user)
    if not paths:
        raise Http404
    scope = Q()
    for path in paths:
        scope |= Q(grid__area__path__startswith=path)
    try:
        return Event.objects.select_related("grid__area", "category").filter(scope).get(pk=pk)
    except (Event.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
