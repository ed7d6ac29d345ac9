"""The behaviour every marketplace backend must have, as a mixin of tests.

A backend's test class mixes this in and provides ``backend`` (a fixture) and two
helpers that act as a worker on that marketplace: ``accept`` and ``submit``.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from opensurfaces.crowd.backends.base import HitTypeSpec, MarketplaceError

_ids = itertools.count(1)


def spec(**overrides) -> HitTypeSpec:
    fields = {
        "title": "Check some photos",
        "description": "Click the photos that show a kitchen",
        "reward": Decimal("0.05"),
        "duration": 600,
        "keywords": "photos, quick",
        "auto_approval_delay": 86400,
    }
    return HitTypeSpec(**{**fields, **overrides})


class MarketplaceBackendContract:
    def accept(self, backend, hit_id: str, worker_id: str) -> str:
        raise NotImplementedError

    def submit(self, backend, assignment_id: str) -> None:
        raise NotImplementedError

    def post(self, backend, max_assignments: int = 3, **type_overrides):
        hit_type = backend.create_hit_type(spec(**type_overrides))
        return backend.create_hit(
            hit_type_id=hit_type,
            external_url="https://opensurfaces.example/mturk/external/task/1/",
            frame_height=800,
            lifetime=3600,
            max_assignments=max_assignments,
            annotation=f'{{"test": {next(_ids)}}}',
            unique_token=f"token-{next(_ids)}",
        )

    def submitted(self, backend, worker_id: str = "W1", **kwargs) -> tuple[str, str]:
        hit = self.post(backend, **kwargs)
        assignment_id = self.accept(backend, hit.hit_id, worker_id)
        self.submit(backend, assignment_id)
        return hit.hit_id, assignment_id

    # --- HIT types and HITs ---

    def test_same_hit_type_spec_gives_the_same_id(self, backend):
        assert backend.create_hit_type(spec()) == backend.create_hit_type(spec())
        assert backend.create_hit_type(spec()) != backend.create_hit_type(
            spec(reward=Decimal("0.06"))
        )

    def test_a_new_hit_is_assignable(self, backend):
        hit = self.post(backend, max_assignments=4)
        remote = backend.get_hit(hit.hit_id)
        assert remote.status == "Assignable"
        assert (remote.max_assignments, remote.available, remote.completed) == (4, 4, 0)
        assert hit.hit_id in {h.hit_id for h in backend.list_hits()}

    def test_an_unknown_hit_is_an_error(self, backend):
        with pytest.raises(MarketplaceError):
            backend.get_hit("NO-SUCH-HIT")

    def test_expired_hits_take_no_more_workers(self, backend):
        hit = self.post(backend)
        backend.expire_hit(hit.hit_id)
        backend.expire_hit(hit.hit_id)  # idempotent
        remote = backend.get_hit(hit.hit_id)
        assert remote.available == 0 and remote.status != "Assignable"
        with pytest.raises(Exception):  # noqa: B017 (each marketplace words it its own way)
            self.accept(backend, hit.hit_id, "W9")

    def test_delete_needs_an_expired_reviewed_hit(self, backend):
        hit_id, assignment_id = self.submitted(backend)
        with pytest.raises(MarketplaceError):
            backend.delete_hit(hit_id)
        backend.expire_hit(hit_id)
        backend.approve(assignment_id, message="ok")
        backend.delete_hit(hit_id)
        assert hit_id not in {h.hit_id for h in backend.list_hits()}

    # --- assignments ---

    def test_submitted_work_is_listed(self, backend):
        hit_id, assignment_id = self.submitted(backend, worker_id="W2")
        [item] = backend.list_assignments(hit_id)
        assert (item.assignment_id, item.worker_id, item.status) == (
            assignment_id,
            "W2",
            "Submitted",
        )
        assert backend.get_hit(hit_id).completed == 1

    def test_approve_is_idempotent(self, backend):
        hit_id, assignment_id = self.submitted(backend)
        backend.approve(assignment_id, message="Thanks")
        backend.approve(assignment_id, message="Thanks")
        assert backend.list_assignments(hit_id)[0].status == "Approved"
        with pytest.raises(MarketplaceError):
            backend.reject(assignment_id, message="too late")

    def test_reject_then_override(self, backend):
        hit_id, assignment_id = self.submitted(backend)
        backend.reject(assignment_id, message="Too many mistakes")
        backend.reject(assignment_id, message="Too many mistakes")
        assert backend.list_assignments(hit_id)[0].status == "Rejected"
        with pytest.raises(MarketplaceError):
            backend.approve(assignment_id, message="sorry")
        backend.approve(assignment_id, message="sorry", override_rejection=True)
        assert backend.list_assignments(hit_id)[0].status == "Approved"

    def test_unsubmitted_work_cannot_be_reviewed(self, backend):
        hit = self.post(backend)
        assignment_id = self.accept(backend, hit.hit_id, "W3")
        with pytest.raises(MarketplaceError):
            backend.approve(assignment_id, message="no")
        assert backend.list_assignments(hit.hit_id) == []

    # --- bonuses and balance ---

    def test_a_bonus_token_pays_once(self, backend):
        _, assignment_id = self.submitted(backend, worker_id="W4")
        backend.approve(assignment_id, message="ok")
        for _ in range(2):
            backend.send_bonus(
                worker_id="W4",
                assignment_id=assignment_id,
                amount=Decimal("0.25"),
                reason="Great work",
                token="bonus-token-1",
            )
        bonuses = backend.list_bonuses(assignment_id)
        assert [(b.amount, b.reason) for b in bonuses] == [(Decimal("0.25"), "Great work")]

    def test_a_bonus_must_match_the_worker(self, backend):
        _, assignment_id = self.submitted(backend, worker_id="W5")
        with pytest.raises(MarketplaceError):
            backend.send_bonus(
                worker_id="SOMEONE-ELSE",
                assignment_id=assignment_id,
                amount=Decimal("0.10"),
                reason="x",
                token="bonus-token-2",
            )

    def test_balance_is_money(self, backend):
        assert isinstance(backend.balance(), Decimal)

    # --- workers ---

    def test_blocked_workers_cannot_accept(self, backend):
        hit = self.post(backend)
        backend.block_worker("W6", reason="spam")
        assert backend.is_blocked("W6")
        with pytest.raises(Exception):  # noqa: B017
            self.accept(backend, hit.hit_id, "W6")
        backend.unblock_worker("W6", reason="appeal")
        assert not backend.is_blocked("W6")
        assert self.accept(backend, hit.hit_id, "W6")

    # --- fees ---

    def test_cost_covers_every_planned_hit(self, backend):
        reward = Decimal("0.10")
        for assignments in (1, 5, 9, 10, 25):
            sizes = backend.hit_sizes(assignments)
            assert sum(sizes) == assignments
            expected = sum(reward * n + backend.fee(reward=reward, assignments=n) for n in sizes)
            assert backend.cost(reward=reward, assignments=assignments) == expected

    # --- custom qualifications ---

    def test_custom_qualifications_are_granted_changed_and_revoked(self, backend):
        type_id = backend.create_qualification_type(
            name="Material Segmentation Master", description="Good outlines", keywords="seg"
        )
        again = backend.create_qualification_type(
            name="Material Segmentation Master", description="Good outlines", keywords="seg"
        )
        assert again == type_id
        self.known_worker(backend, "W8")
        assert backend.qualification_score(type_id=type_id, worker_id="W8") is None
        backend.grant_qualification(type_id=type_id, worker_id="W8", value=1)
        assert backend.qualification_score(type_id=type_id, worker_id="W8") == 1
        backend.grant_qualification(type_id=type_id, worker_id="W8", value=0)
        assert backend.qualification_score(type_id=type_id, worker_id="W8") == 0
        backend.revoke_qualification(type_id=type_id, worker_id="W8", reason="retired")
        backend.revoke_qualification(type_id=type_id, worker_id="W8", reason="retired")
        assert backend.qualification_score(type_id=type_id, worker_id="W8") is None

    def known_worker(self, backend, worker_id: str) -> None:
        """Make the marketplace know the worker (they did a task)."""
        self.submitted(backend, worker_id=worker_id)
