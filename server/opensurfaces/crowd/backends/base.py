"""The interface every marketplace backend implements.

Backends speak the marketplace's language and nothing else: they never touch our crowd
tables (crowd.services does). Each passes the shared contract suite in
crowd/tests/backend_contract.py. Money is Decimal in dollars.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


class MarketplaceError(Exception):
    """The marketplace refused a request (a bad request: retrying will not help)."""


class MarketplaceUnavailable(MarketplaceError):
    """The marketplace could not be reached or throttled us (worth retrying)."""


@dataclass(frozen=True)
class QualificationRequirement:
    """A condition a worker must meet: ``name`` is a built-in (perc_approved, ...)
    or a custom qualification's marketplace id; ``comparator`` as MTurk spells it."""

    name: str
    comparator: str
    value: int


@dataclass(frozen=True)
class HitTypeSpec:
    title: str
    description: str
    reward: Decimal
    duration: int
    keywords: str
    auto_approval_delay: int
    qualifications: tuple[QualificationRequirement, ...] = ()


@dataclass(frozen=True)
class RemoteHit:
    hit_id: str
    hit_type_id: str
    status: str  # Assignable, Unassignable, Reviewable, Reviewing, Disposed
    max_assignments: int
    available: int
    pending: int
    completed: int
    expires_at: datetime
    annotation: str = ""


@dataclass(frozen=True)
class RemoteAssignment:
    assignment_id: str
    hit_id: str
    worker_id: str
    status: str  # Submitted, Approved, Rejected (MTurk lists nothing else)
    accepted_at: datetime | None = None
    submitted_at: datetime | None = None
    reviewed_at: datetime | None = None
    deadline: datetime | None = None
    answer: str = ""


@dataclass(frozen=True)
class RemoteBonus:
    assignment_id: str
    worker_id: str
    amount: Decimal
    reason: str
    extra: dict = field(default_factory=dict)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class MarketplaceBackend(ABC):
    """One marketplace account (sandbox or production)."""

    name: str = ""

    def __init__(self, *, sandbox: bool):
        self.sandbox = sandbox

    # --- fees ---

    def fee(self, *, reward: Decimal, assignments: int) -> Decimal:
        """Return the marketplace's fee for one HIT of ``assignments`` at ``reward`` each."""
        return Decimal("0")

    def hit_sizes(self, assignments: int) -> list[int]:
        """Return how to split ``assignments`` into HITs at the lowest total fee."""
        return [assignments]

    def cost(self, *, reward: Decimal, assignments: int) -> Decimal:
        """Return what posting ``assignments`` will cost, rewards and fees, split as planned."""
        return sum(
            (reward * size + self.fee(reward=reward, assignments=size))
            for size in self.hit_sizes(assignments)
        )

    # --- HITs ---

    @abstractmethod
    def create_hit_type(self, spec: HitTypeSpec) -> str:
        """Register (or find) a HIT type; return its id. Same spec, same id."""

    @abstractmethod
    def create_hit(
        self,
        *,
        hit_type_id: str,
        external_url: str,
        frame_height: int,
        lifetime: int,
        max_assignments: int,
        annotation: str,
        unique_token: str,
    ) -> RemoteHit:
        """Post a HIT. ``unique_token`` makes a retried call return the same HIT."""

    @abstractmethod
    def get_hit(self, hit_id: str) -> RemoteHit:
        """Return a HIT's state; raise MarketplaceError if the marketplace does not know it."""

    @abstractmethod
    def list_hits(self) -> list[RemoteHit]:
        """Return every HIT of this account."""

    @abstractmethod
    def expire_hit(self, hit_id: str) -> None:
        """Stop the HIT from being accepted by more workers (idempotent)."""

    @abstractmethod
    def delete_hit(self, hit_id: str) -> None:
        """Remove an expired HIT whose assignments are all reviewed."""

    # --- assignments ---

    @abstractmethod
    def list_assignments(self, hit_id: str) -> list[RemoteAssignment]:
        """Return the submitted, approved and rejected assignments of a HIT."""

    @abstractmethod
    def approve(
        self, assignment_id: str, *, message: str, override_rejection: bool = False
    ) -> None:
        """Approve (pay) an assignment; approving an approved one is a no-op."""

    @abstractmethod
    def reject(self, assignment_id: str, *, message: str) -> None:
        """Reject a submitted assignment; rejecting a rejected one is a no-op."""

    @abstractmethod
    def send_bonus(
        self, *, worker_id: str, assignment_id: str, amount: Decimal, reason: str, token: str
    ) -> None:
        """Pay a bonus; a repeated ``token`` pays nothing more."""

    @abstractmethod
    def list_bonuses(self, assignment_id: str) -> list[RemoteBonus]:
        """Return the bonuses paid for an assignment."""

    # --- account and workers ---

    @abstractmethod
    def balance(self) -> Decimal:
        """Return the money available for new HITs."""

    @abstractmethod
    def block_worker(self, worker_id: str, *, reason: str) -> None:
        """Stop a worker from accepting any of our HITs."""

    @abstractmethod
    def unblock_worker(self, worker_id: str, *, reason: str) -> None:
        """Undo block_worker."""

    @abstractmethod
    def is_blocked(self, worker_id: str) -> bool:
        """Return whether the worker is blocked."""

    # --- custom qualifications ---

    @abstractmethod
    def create_qualification_type(self, *, name: str, description: str, keywords: str) -> str:
        """Create (or find, by name) a custom qualification type; return its id."""

    @abstractmethod
    def grant_qualification(self, *, type_id: str, worker_id: str, value: int) -> None:
        """Give a worker a qualification score (or change it)."""

    @abstractmethod
    def revoke_qualification(self, *, type_id: str, worker_id: str, reason: str) -> None:
        """Take a qualification away from a worker (idempotent)."""

    @abstractmethod
    def qualification_score(self, *, type_id: str, worker_id: str) -> int | None:
        """Return the worker's score, or None if they do not hold it."""


def hit_sizes_below(threshold: int, assignments: int) -> list[int]:
    """Split ``assignments`` into as few HITs as possible, each below ``threshold``,
    with sizes as even as possible (e.g. 20 below 10 -> [7, 7, 6])."""
    if assignments < threshold:
        return [assignments]
    count = math.ceil(assignments / (threshold - 1))
    base, extra = divmod(assignments, count)
    return [base + 1] * extra + [base] * (count - extra)
