"""Dispute mediation (矛盾纠纷化解): cases, parties, mediators, sessions, agreements, judicial
confirmation and follow-up visits. Tables, constraints and indexes only; the state machines are in
``mediation.services`` (the core's workflow kit) and every write goes through a service.
"""

from mediation.models.agreements import Agreement, AgreementSignature, JudicialConfirmation
from mediation.models.cases import Case, CaseCounter, CaseMediator, CaseTimelineEntry
from mediation.models.follow_ups import FollowUp
from mediation.models.mediators import TIER_ORDER, MediatorProfile, Tier
from mediation.models.parties import Party, PartyRelation
from mediation.models.sessions import Session, SessionNote

__all__ = [
    "TIER_ORDER",
    "Agreement",
    "AgreementSignature",
    "Case",
    "CaseCounter",
    "CaseMediator",
    "CaseTimelineEntry",
    "FollowUp",
    "JudicialConfirmation",
    "MediatorProfile",
    "Party",
    "PartyRelation",
    "Session",
    "SessionNote",
    "Tier",
]
