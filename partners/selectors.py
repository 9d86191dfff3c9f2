"""Reads and scoping of the partners app: who sees which partner, record, voucher and account.

A partner's linked users see their own partner and nothing of other partners; staff see the
partners of the communities their posts cover. Anything else is a 404.
"""

from django.db.models import Q, QuerySet, Sum
from django.http import Http404

from governance.models import Area, User
from governance.selectors import jurisdiction_paths, jurisdiction_q
from partners.models import (
    Account,
    Claim,
    EarningRule,
    Evaluation,
    EvaluationAppeal,
    LedgerEntry,
    Need,
    Partner,
    PointsAdjustment,
    Project,
    Redemption,
    Reward,
    ServiceRecord,
)
from partners.policies import STAFF_ROLES


def _staff_q(user: User, path_field: str) -> Q:
    return jurisdiction_q(user=user, path_field=path_field, roles=set(STAFF_ROLES))


def _signed_in(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def staff_communities(*, user: User) -> QuerySet[Area]:
    if not _signed_in(user):
        return Area.objects.none()
    return Area.objects.filter(_staff_q(user, "path"), level=Area.Level.COMMUNITY)


def visible_partners(*, user: User) -> QuerySet[Partner]:
    if not _signed_in(user):
        return Partner.objects.none()
    ids = Partner.objects.filter(_staff_q(user, "community__path") | Q(users=user)).values("pk")
    return Partner.objects.filter(pk__in=ids).select_related("community")


def partner_get_for_user(*, user: User, pk) -> Partner:
    try:
        return visible_partners(user=user).get(pk=pk)
    except (Partner.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def partners_of(*, user: User) -> QuerySet[Partner]:
    """The partners ``user`` is linked to (usually one)."""
    if not _signed_in(user):
        return Partner.objects.none()
    return Partner.objects.filter(users=user).select_related("community").order_by("-status", "pk")


def my_partner(*, user: User) -> Partner | None:
    """The user's partner, the active one first."""
    partners = list(partners_of(user=user))
    active = [p for p in partners if p.is_active]
    return (active or partners or [None])[0]


def my_partner_id(user: User) -> int | None:
    """For ``GET /api/v1/me/``: the id of the user's partner (the active one first), or None."""
    partner = my_partner(user=user)
    return partner.pk if partner is not None else None


def visible_records(*, user: User) -> QuerySet[ServiceRecord]:
    if not _signed_in(user):
        return ServiceRecord.objects.none()
    ids = ServiceRecord.objects.filter(_staff_q(user, "partner__community__path") | Q(partner__users=user)).values("pk")
    return (
        ServiceRecord.objects.filter(pk__in=ids).select_related("partner__community", "rule").prefetch_related("photos")
    )


def record_get_for_user(*, user: User, pk) -> ServiceRecord:
    try:
        return visible_records(user=user).get(pk=pk)
    except (ServiceRecord.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def records_to_verify(*, user: User) -> QuerySet[ServiceRecord]:
    return (
        ServiceRecord.objects.filter(_staff_q(user, "partner__community__path"), status=ServiceRecord.Status.SUBMITTED)
        .select_related("partner", "rule")
        .prefetch_related("photos")
        .order_by("created_at")
    )


def applications_to_decide(*, user: User) -> QuerySet[Partner]:
    return Partner.objects.filter(_staff_q(user, "community__path"), status=Partner.Status.PENDING).select_related(
        "community"
    )


def _communities_of(user: User) -> Q:
    member_communities = Partner.objects.filter(users=user).values("community_id")
    return _staff_q(user, "community__path") | Q(community_id__in=member_communities)


def visible_rules(*, user: User) -> QuerySet[EarningRule]:
    if not _signed_in(user):
        return EarningRule.objects.none()
    return EarningRule.objects.filter(_communities_of(user)).select_related("community")


def visible_rewards(*, user: User) -> QuerySet[Reward]:
    if not _signed_in(user):
        return Reward.objects.none()
    return Reward.objects.filter(_communities_of(user)).select_related("community", "offered_by")


def reward_get_for_user(*, user: User, pk) -> Reward:
    try:
        return visible_rewards(user=user).get(pk=pk)
    except (Reward.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def visible_redemptions(*, user: User) -> QuerySet[Redemption]:
    if not _signed_in(user):
        return Redemption.objects.none()
    ids = Redemption.objects.filter(
        _staff_q(user, "partner__community__path") | Q(partner__users=user) | Q(reward__offered_by__users=user)
    ).values("pk")
    return Redemption.objects.filter(pk__in=ids).select_related("reward", "partner__community")


def redemption_get_for_user(*, user: User, pk) -> Redemption:
    try:
        return visible_redemptions(user=user).get(pk=pk)
    except (Redemption.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def redemption_by_code(*, code: str) -> Redemption:
    """A voucher by its code, for fulfilment (the policy then decides who may fulfil it)."""
    redemption = (
        Redemption.objects.select_related("reward__offered_by", "partner__community").filter(voucher_code=code).first()
    )
    if redemption is None:
        raise Http404
    return redemption


def balance_summary(*, partner: Partner) -> dict:
    """``available`` is the account's balance; ``frozen`` the points held by pending vouchers."""
    available = Account.objects.filter(partner=partner).values_list("balance", flat=True).first() or 0
    frozen = (
        Redemption.objects.filter(partner=partner, status=Redemption.Status.PENDING).aggregate(n=Sum("points"))["n"]
        or 0
    )
    return {"partner": partner.pk, "balance": available + frozen, "frozen": frozen, "available": available}


def statement(*, partner: Partner) -> QuerySet[LedgerEntry]:
    """The partner's entries, newest first, each with its running balance (``balance_after``)."""
    return (
        LedgerEntry.objects.filter(account__partner=partner)
        .select_related("transaction")
        .order_by("-transaction__sequence", "-id")
    )


def visible_adjustments(*, user: User) -> QuerySet[PointsAdjustment]:
    if not _signed_in(user):
        return PointsAdjustment.objects.none()
    return PointsAdjustment.objects.filter(_staff_q(user, "partner__community__path")).select_related(
        "partner__community"
    )


def adjustment_get_for_user(*, user: User, pk) -> PointsAdjustment:
    try:
        return visible_adjustments(user=user).get(pk=pk)
    except (PointsAdjustment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def community_ids_of(*, user: User) -> set[int] | None:
    """Communities whose needs and projects ``user`` sees: as staff, partner or resident there.
    ``None`` means every community (superuser)."""
    if not _signed_in(user):
        return set()
    if user.is_superuser:
        return None

    ids = set(staff_communities(user=user).values_list("pk", flat=True))
    ids |= set(Partner.objects.filter(users=user).values_list("community_id", flat=True))
    paths = jurisdiction_paths(user=user, roles={"resident"}) or []
    prefixes = {
        "/".join(p.strip("/").split("/")[: i + 1]) + "/" for p in paths for i in range(len(p.strip("/").split("/")))
    }
    ids |= set(Area.objects.filter(path__in=prefixes, level=Area.Level.COMMUNITY).values_list("pk", flat=True))
    return ids


def _in_my_communities(qs, user):
    ids = community_ids_of(user=user)
    return qs if ids is None else qs.filter(community_id__in=ids)


def visible_needs(*, user: User) -> QuerySet[Need]:
    return _in_my_communities(Need.objects.select_related("community"), user)


def need_get_for_user(*, user: User, pk) -> Need:
    try:
        return visible_needs(user=user).get(pk=pk)
    except (Need.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def visible_projects(*, user: User) -> QuerySet[Project]:
    return _in_my_communities(Project.objects.select_related("community", "need"), user)


def project_get_for_user(*, user: User, pk) -> Project:
    try:
        return visible_projects(user=user).get(pk=pk)
    except (Project.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def claims_of(*, project: Project) -> QuerySet[Claim]:
    return Claim.objects.filter(project=project).select_related("partner")


def evaluation_get_for_user(*, user: User, pk):
    """An evaluation of a project the user can see."""

    project_ids = visible_projects(user=user).values("pk")
    try:
        return Evaluation.objects.select_related("partner__community", "project").get(pk=pk, project_id__in=project_ids)
    except (Evaluation.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def appeal_get_for_user(*, user: User, pk):

    partner_ids = visible_partners(user=user).values("pk")
    try:
        return EvaluationAppeal.objects.select_related("evaluation__partner__community").get(
            pk=pk, evaluation__partner_id__in=partner_ids
        )
    except (EvaluationAppeal.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
