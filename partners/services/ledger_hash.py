"""The ledger's hash chain: each transaction's sha256 over its predecessor's hash and its own content."""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def transaction_hash(
    *,
    prev_hash: str,
    book_id: int,
    sequence: int,
    kind: str,
    key: str,
    created_at: datetime,
    actor_id: int | None,
    reverses_id: int | None,
    memo: str,
    entries: Sequence[tuple[int, int, int]],
) -> str:
    """sha256 over the previous hash and the canonical JSON of the transaction and its entries
    (``(account_id, amount, balance_after)``, sorted)."""
    payload = json.dumps(
        {
            "book": book_id,
            "seq": sequence,
            "kind": kind,
            "key": key,
            "at": _iso(created_at),
            "actor": actor_id,
            "reverses": reverses_id,
            "memo": memo,
            "entries": sorted([list(e) for e in entries]),
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()
