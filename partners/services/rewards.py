"""Rewards and vouchers: redeeming freezes the points (partner → hold) and the stock; fulfilling
settles them (hold → redeemed); cancelling or expiry releases both.

A redemption locks the community's book first (the ledger's lock order), so the per-partner limit,
the balance and the stock are read and changed by one redemption at a time per community; the
stock is taken with a conditional ``UPDATE … WHERE stock >= quantity`` as well, so it can never go
below zero even if that order were broken.
"""

import logging
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import status

from governance.exceptions import DomainError
from governance.models import Area, AuditEntry, User
from governance.outbox import notification_enqueue
from governance.services import audit_record
from governance.workflow import Workflow
from partners.models import Account, LedgerBook, LedgerTransaction, Partner, Redemption, Reward
from partners.services.ledger import InsufficientPoints, ledger_post
from partners.services.ledger_accounts import accounts_lock, book_lock
from partners.services.partners import PartnerNotActive

logger = logging.getLogger(__name__)

D = Redemption.Status
VOUCHER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
VOUCHER_LENGTH = 8


class OutOfStock(DomainError):
    code = "out_of_stock"
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("库存不足，已兑完。")


class LimitReached(DomainError):
    code = "limit_reached"
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("已达到每人限兑数量。")


class RewardUnavailable(DomainError):
    code = "reward_unavailable"
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("该商品当前不可兑换。")


def voucher_valid_days() -> int:
    return int(getattr(settings, "POINTS_VOUCHER_VALID_DAYS", 30))


def _new_code() -> str:
    return "".join(secrets.choice(VOUCHER_ALPHABET) for _ in range(VOUCHER_LENGTH))


def _unused_code() -> str:
    for _attempt in range(10):
        code = _new_code()
        if not Redemption.objects.filter(voucher_code=code).exists():
            return code
    raise RuntimeError("could not find an unused voucher code")


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


# --- Rewards ------------------------------------------------------------------------------------


@transaction.atomic
def reward_save(
    *,
    community: Area,
    name: str,
    kind: str,
    cost: int,
    actor: User,
    stock: int | None = None,
    per_partner_limit: int | None = None,
    valid_from: date | None = None,
    valid_until: date | None = None,
    offered_by: Partner | None = None,
    description: str = "",
) -> Reward:
    if cost is None or int(cost) <= 0:
        raise DomainError(_("所需积分必须大于零。"), code="invalid_cost")
    if stock is not None and int(stock) < 0:
        raise DomainError(_("库存不能为负数。"), code="invalid_stock")
    if offered_by is not None and offered_by.community_id != community.pk:
        raise DomainError(_("提供商户必须是本社区的合伙人。"), code="other_community")
    if valid_from and valid_until and valid_until < valid_from:
        raise DomainError(_("截止日期不能早于开始日期。"), code="invalid_window")
    reward = Reward(
        community=community,
        name=name.strip(),
        kind=kind,
        cost=int(cost),
        stock=stock,
        per_partner_limit=per_partner_limit,
        valid_from=valid_from,
        valid_until=valid_until,
        offered_by=offered_by,
        description=description,
    )
    reward.full_clean()
    reward.save()
    audit_record(
        actor=actor, action=AuditEntry.Action.CREATE, obj=reward, changes={"cost": reward.cost, "stock": stock}
    )
    return reward


@transaction.atomic
def reward_restock(*, reward: Reward, add: int, actor: User) -> Reward:
    if add <= 0:
        raise DomainError(_("补充数量必须大于零。"), code="invalid_quantity")
    if reward.stock is None:
        raise DomainError(_("该商品不限量，无需补充库存。"), code="unlimited_stock")
    Reward.objects.filter(pk=reward.pk).update(stock=F("stock") + add)
    reward.refresh_from_db(fields=["stock"])
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=reward, changes={"stock_added": add})
    return reward


# --- Redemption ---------------------------------------------------------------------------------


def _record_redemption_move(*, obj: Redemption, frm: str, to: str, actor: User | None, note: str) -> None:
    audit_record(
        actor=actor, action=AuditEntry.Action.TRANSITION, obj=obj, changes={"from": frm, "to": to, "note": note}
    )
    titles = {
        D.FULFILLED: _("兑换券 %(code)s 已核销"),
        D.CANCELLED: _("兑换券 %(code)s 已取消，积分已退回"),
        D.EXPIRED: _("兑换券 %(code)s 已过期，积分已退回"),
    }
    notification_enqueue(
        recipients=obj.partner.users.all(),
        key=f"redemption:{obj.pk}:{to}",
        title=titles[to] % {"code": obj.voucher_code},
        body=note,
        url=reverse("partners:vouchers"),
    )


REDEMPTION_FLOW = Workflow(
    model=Redemption,
    moves={
        D.PENDING: {
            D.FULFILLED: {"handled_by", "closed_at"},
            D.CANCELLED: {"handled_by", "closed_at"},
            D.EXPIRED: {"closed_at"},
        },
        D.FULFILLED: {},
        D.CANCELLED: {},
        D.EXPIRED: {},
    },
    record=_record_redemption_move,
    labels=dict(D.choices),
    noun=gettext_lazy("兑换券"),
    stale_detail=gettext_lazy("该兑换券刚被处理过，请刷新后查看。"),
)


def redemption_key(*, partner: Partner, key: str) -> str:
    return f"redemption:{partner.pk}:{key}"


@transaction.atomic
def redemption_create(
    *, partner: Partner, reward: Reward, quantity: int, actor: User, key: str = ""
) -> tuple[Redemption, bool]:
    """Redeem ``quantity`` of ``reward``: ``(redemption, created)``. The same ``key`` (the client's
    ``Idempotency-Key``) again returns the first redemption and writes nothing. Refusals write nothing."""
    if quantity is None or int(quantity) <= 0:
        raise DomainError(_("兑换数量必须大于零。"), code="invalid_quantity")
    quantity = int(quantity)
    full_key = redemption_key(partner=partner, key=key or secrets.token_hex(16))
    existing = Redemption.objects.filter(idempotency_key=full_key).first()
    if existing is not None:
        return existing, False
    if not partner.is_active:
        raise PartnerNotActive()
    if reward.community_id != partner.community_id:
        raise DomainError(_("该商品不属于您所在的社区，不能兑换。"), code="other_community")
    today = timezone.localdate()
    if (
        not reward.is_active
        or (reward.valid_from and today < reward.valid_from)
        or (reward.valid_until and today > reward.valid_until)
    ):
        raise RewardUnavailable(_("该商品不在兑换期内或已下架。"))

    book = book_lock(community=partner.community)
    existing = Redemption.objects.filter(idempotency_key=full_key).first()  # a concurrent twin won
    if existing is not None:
        return existing, False
    if reward.per_partner_limit is not None:
        used = (
            Redemption.objects.filter(partner=partner, reward=reward, status__in=[D.PENDING, D.FULFILLED]).aggregate(
                n=Sum("quantity")
            )["n"]
            or 0
        )
        if used + quantity > reward.per_partner_limit:
            raise LimitReached(
                _("每人限兑 %(limit)d 份，您已兑换 %(used)d 份。") % {"limit": reward.per_partner_limit, "used": used}
            )
    points = reward.cost * quantity
    account, _hold = accounts_lock(book=book, refs=[partner, Account.Kind.HOLD])  # read once, for the posting too
    balance = account.balance
    if balance < points:
        raise InsufficientPoints(
            _("积分不足：可用 %(balance)d 分，兑换需要 %(needed)d 分。") % {"balance": balance, "needed": points}
        )
    if reward.stock is not None:
        taken = Reward.objects.filter(pk=reward.pk, stock__gte=quantity).update(stock=F("stock") - quantity)
        if not taken:
            raise OutOfStock()
    redemption = Redemption.objects.create(
        reward=reward,
        partner=partner,
        quantity=quantity,
        points=points,
        voucher_code=_unused_code(),
        idempotency_key=full_key,
        requested_by=actor,
        expires_at=timezone.now() + timedelta(days=voucher_valid_days()),
    )
    ledger_post(
        community=partner.community,
        kind=LedgerTransaction.Kind.REDEEM_HOLD,
        key=f"redemption:{redemption.pk}:hold",
        lines=[(account, -points), (Account.Kind.HOLD, points)],
        actor=actor,
        memo=f"{reward.name} ×{quantity}",
        book=book,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=redemption,
        changes={"reward": reward.pk, "quantity": quantity, "points": points},
    )
    return redemption, True


def _release(*, redemption: Redemption, actor: User | None, kind_key: str, book: LedgerBook) -> None:
    ledger_post(
        community=redemption.partner.community,
        kind=LedgerTransaction.Kind.REDEEM_RELEASE,
        key=f"redemption:{redemption.pk}:{kind_key}",
        lines=[(Account.Kind.HOLD, -redemption.points), (redemption.partner, redemption.points)],
        actor=actor,
        memo=f"{redemption.reward.name} ×{redemption.quantity}",
        book=book,
    )
    if redemption.reward.stock is not None:
        Reward.objects.filter(pk=redemption.reward_id).update(stock=F("stock") + redemption.quantity)


@transaction.atomic
def redemption_fulfil(*, redemption: Redemption, actor: User) -> Redemption:
    community = redemption.partner.community
    book = book_lock(community=community)
    REDEMPTION_FLOW.transition(
        redemption, to=D.FULFILLED, actor=actor, changes={"handled_by": actor, "closed_at": timezone.now()}
    )
    ledger_post(
        community=community,
        kind=LedgerTransaction.Kind.REDEEM_SETTLE,
        key=f"redemption:{redemption.pk}:settle",
        lines=[(Account.Kind.HOLD, -redemption.points), (Account.Kind.REDEEMED, redemption.points)],
        actor=actor,
        memo=f"{redemption.reward.name} ×{redemption.quantity}",
        book=book,
    )
    return redemption


@transaction.atomic
def redemption_cancel(*, redemption: Redemption, actor: User, reason: str = "") -> Redemption:
    book = book_lock(community=redemption.partner.community)
    REDEMPTION_FLOW.transition(
        redemption,
        to=D.CANCELLED,
        actor=actor,
        note=reason.strip(),
        changes={"handled_by": actor, "closed_at": timezone.now()},
    )
    _release(redemption=redemption, actor=actor, kind_key="cancel", book=book)
    return redemption


def redemptions_expired_ids(*, limit: int = 500) -> list[int]:
    return list(
        Redemption.objects.filter(status=D.PENDING, expires_at__lt=timezone.now())
        .order_by("expires_at")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def redemption_expire(*, redemption_id: int) -> bool:
    """The expiry clock for one voucher, in its own transaction; False when nothing was due."""
    redemption = Redemption.objects.select_related("partner__community", "reward").filter(pk=redemption_id).first()
    if redemption is None or redemption.status != D.PENDING or redemption.expires_at >= timezone.now():
        return False
    book = book_lock(community=redemption.partner.community)
    redemption.refresh_from_db()
    if redemption.status != D.PENDING:
        return False
    REDEMPTION_FLOW.transition(redemption, to=D.EXPIRED, actor=None, changes={"closed_at": timezone.now()})
    _release(redemption=redemption, actor=None, kind_key="expire", book=book)
    return True


def redemptions_expire_each(*, ids) -> int:
    done = 0
    for pk in ids:
        try:
            done += redemption_expire(redemption_id=pk)
        except Exception as exc:  # one bad row must not stop the scan; the next scan retries it
            logger.warning("Expiring voucher %s failed (%s); left for the next scan.", pk, type(exc).__name__)
    return done
