"""Every marketplace backend passes the same contract (backend_contract.py)."""

from decimal import Decimal

import pytest
import requests

from opensurfaces.crowd.backends.base import MarketplaceError
from opensurfaces.crowd.backends.local import LocalBackend
from opensurfaces.crowd.backends.mturk import MTurkBackend
from opensurfaces.crowd.tests.backend_contract import MarketplaceBackendContract


@pytest.mark.django_db
class TestLocalBackend(MarketplaceBackendContract):
    @pytest.fixture
    def backend(self, settings):
        settings.CROWD_LOCAL_BUDGET = "500"
        return LocalBackend(sandbox=True)

    def accept(self, backend, hit_id, worker_id):
        assignment = backend.reserve(worker_id=worker_id, hit_ids=[hit_id])
        if assignment is None:
            raise MarketplaceError("no assignment available")
        return assignment.assignment_id

    def submit(self, backend, assignment_id):
        backend.mark_submitted(assignment_id)

    def known_worker(self, backend, worker_id):
        from opensurfaces.crowd.services.assignments import worker_get_or_create

        worker_get_or_create(marketplace="local", external_id=worker_id)

    def test_local_work_costs_no_fee(self, backend):
        assert backend.fee(reward=Decimal("1"), assignments=20) == 0
        assert backend.hit_sizes(20) == [20]

    def test_an_abandoned_reservation_frees_its_slot(self, backend):
        from django.utils import timezone

        from opensurfaces.crowd.models import LocalAssignment

        hit = self.post(backend, max_assignments=1)
        first = self.accept(backend, hit.hit_id, "W1")
        with pytest.raises(MarketplaceError):
            self.accept(backend, hit.hit_id, "W2")
        LocalAssignment.objects.filter(external_id=first).update(deadline=timezone.now())
        assert self.accept(backend, hit.hit_id, "W2")
        with pytest.raises(MarketplaceError, match="released"):
            backend.mark_submitted(first)


class TestMTurkBackend(MarketplaceBackendContract):
    @pytest.fixture
    def backend(self, mturk_standin):
        return MTurkBackend(sandbox=True)

    def accept(self, backend, hit_id, worker_id):
        response = requests.post(
            f"{self.url}/_standin/accept",
            json={"HITId": hit_id, "WorkerId": worker_id},
            timeout=5,
        )
        if response.status_code != 200:
            raise MarketplaceError(response.json()["message"])
        return response.json()["AssignmentId"]

    def submit(self, backend, assignment_id):
        response = requests.post(
            f"{self.url}/_standin/submit", json={"AssignmentId": assignment_id}, timeout=5
        )
        response.raise_for_status()

    @pytest.fixture(autouse=True)
    def _url(self, mturk_standin):
        self.url = mturk_standin.url

    def test_fees_follow_the_mturk_schedule(self, backend):
        # 20% commission, at least a cent, plus 20% for HITs of 10 or more assignments.
        assert backend.fee(reward=Decimal("0.10"), assignments=1) == Decimal("0.02")
        assert backend.fee(reward=Decimal("0.02"), assignments=5) == Decimal("0.05")
        assert backend.fee(reward=Decimal("0.10"), assignments=10) == Decimal("0.40")
        assert backend.hit_sizes(20) == [7, 7, 6]
        assert backend.hit_sizes(9) == [9]
        assert backend.cost(reward=Decimal("0.10"), assignments=20) == Decimal("2.40")

    def test_approval_spends_reward_and_fee(self, backend):
        before = backend.balance()
        _, assignment_id = self.submitted(backend, max_assignments=2)
        backend.approve(assignment_id, message="ok")
        assert backend.balance() == before - Decimal("0.05") - Decimal("0.01")

    def test_outages_are_reported_as_unavailable(self, backend, mturk_standin):
        from opensurfaces.crowd.backends.base import MarketplaceUnavailable

        requests.post(
            f"{self.url}/_standin/fail",
            json={"Operation": "GetAccountBalance", "Count": 5, "Code": "ServiceFault"},
            timeout=5,
        )
        with pytest.raises(MarketplaceUnavailable):
            backend.balance()

    def test_requests_are_signed_by_the_real_client(self, backend, mturk_standin):
        backend.balance()
        assert "GetAccountBalance" in mturk_standin.snapshot()["calls"]
