"""社区合伙人 · 积分银行: partners, earning rules, service records, the ledger, rewards, vouchers.

Tables, constraints and indexes only; every write goes through ``partners.services``.

The ledger is append-only: ``LedgerTransaction`` and ``LedgerEntry`` refuse ``save()`` on an
existing row, ``delete()`` and queryset ``update()``/``delete()``; on PostgreSQL a trigger refuses
UPDATE and DELETE too, and a deferred constraint trigger refuses a transaction whose entries do not
sum to zero (migration 0002). ``Account.balance`` moves only inside ``partners.services.ledger``.
"""

from partners.models.ledger import (
    Account,
    AppendOnlyError,
    AppendOnlyModel,
    AppendOnlyQuerySet,
    LedgerBook,
    LedgerCheckpoint,
    LedgerEntry,
    LedgerTransaction,
    PointsAdjustment,
)
from partners.models.partners import (
    MAX_RECORD_PHOTOS,
    SUB_KINDS,
    EarningRule,
    Partner,
    ServiceRecord,
    ServiceRecordPhoto,
)
from partners.models.projects import Claim, Evaluation, EvaluationAppeal, Need, NeedSupport, Project
from partners.models.rewards import Redemption, Reward

__all__ = [
    "MAX_RECORD_PHOTOS",
    "SUB_KINDS",
    "Account",
    "AppendOnlyError",
    "AppendOnlyModel",
    "AppendOnlyQuerySet",
    "Claim",
    "EarningRule",
    "Evaluation",
    "EvaluationAppeal",
    "LedgerBook",
    "LedgerCheckpoint",
    "LedgerEntry",
    "LedgerTransaction",
    "Need",
    "NeedSupport",
    "Partner",
    "PointsAdjustment",
    "Project",
    "Redemption",
    "Reward",
    "ServiceRecord",
    "ServiceRecordPhoto",
]
