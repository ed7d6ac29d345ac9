"""Amazon Mechanical Turk through boto3's ``mturk`` client.

Sandbox and production differ only by endpoint and credentials. ``MTURK_ENDPOINT_URL``
points the client elsewhere (the tests use a local stand-in of the MTurk JSON API).
Fees follow MTurk's schedule: 20% of rewards and bonuses (at least $0.01 per
assignment), plus 20% more for HITs with 10 or more assignments, so larger batches are
split into HITs of at most 9 assignments.
"""

from __future__ import annotations

from decimal import Decimal

import boto3
import botocore.exceptions
from botocore.config import Config
from django.conf import settings

from opensurfaces.crowd.backends.base import (
    HitTypeSpec,
    MarketplaceBackend,
    MarketplaceError,
    MarketplaceUnavailable,
    QualificationRequirement,
    RemoteAssignment,
    RemoteBonus,
    RemoteHit,
    hit_sizes_below,
    money,
)

SANDBOX_ENDPOINT = "https://mturk-requester-sandbox.us-east-1.amazonaws.com"
PRODUCTION_ENDPOINT = "https://mturk-requester.us-east-1.amazonaws.com"
SANDBOX_SUBMIT_URL = "https://workersandbox.mturk.com"
PRODUCTION_SUBMIT_URL = "https://www.mturk.com"

COMMISSION = Decimal("0.20")
LARGE_HIT_SURCHARGE = Decimal("0.20")
LARGE_HIT_ASSIGNMENTS = 10
MINIMUM_FEE = Decimal("0.01")

# Built-in qualification types (MTurk's system qualification ids).
SYSTEM_QUALIFICATIONS = {
    "num_approved": "00000000000000000040",
    "perc_approved": "000000000000000000L0",
    "perc_abandoned": "00000000000000000070",
    "perc_rejected": "000000000000000000S0",
    "perc_returned": "000000000000000000E0",
    "perc_submitted": "00000000000000000000",
}

_UNAVAILABLE = (
    botocore.exceptions.EndpointConnectionError,
    botocore.exceptions.ConnectTimeoutError,
    botocore.exceptions.ReadTimeoutError,
    botocore.exceptions.ConnectionClosedError,
)

_EXTERNAL_QUESTION = (
    '<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/'
    'AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd">'
    "<ExternalURL>{url}</ExternalURL><FrameHeight>{height}</FrameHeight></ExternalQuestion>"
)


def external_question(url: str, frame_height: int) -> str:
    from xml.sax.saxutils import escape

    return _EXTERNAL_QUESTION.format(url=escape(url), height=int(frame_height))


class MTurkBackend(MarketplaceBackend):
    name = "mturk"

    def __init__(self, *, sandbox: bool, client=None):
        super().__init__(sandbox=sandbox)
        self._client = client

    @property
    def client(self):
        if self._client is None:
            endpoint = settings.MTURK_ENDPOINT_URL or (
                SANDBOX_ENDPOINT if self.sandbox else PRODUCTION_ENDPOINT
            )
            self._client = boto3.client(
                "mturk",
                region_name="us-east-1",
                endpoint_url=endpoint,
                aws_access_key_id=settings.MTURK_AWS_ACCESS_KEY_ID,
                aws_secret_access_key=settings.MTURK_AWS_SECRET_ACCESS_KEY,
                config=Config(
                    connect_timeout=5,
                    read_timeout=30,
                    retries={"max_attempts": 3, "mode": "standard"},
                ),
            )
        return self._client

    def _call(self, operation: str, **params):
        try:
            return getattr(self.client, operation)(**params)
        except _UNAVAILABLE as exc:
            raise MarketplaceUnavailable(f"MTurk {operation}: {exc}") from exc
        except botocore.exceptions.ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            message = exc.response.get("Error", {}).get("Message", str(exc))
            if code in {"ServiceFault", "ThrottlingException", "Throttling"}:
                raise MarketplaceUnavailable(f"MTurk {operation}: {message}") from exc
            raise MarketplaceError(f"MTurk {operation}: {message}") from exc

    # --- fees ---

    def fee(self, *, reward: Decimal, assignments: int) -> Decimal:
        rate = COMMISSION + (LARGE_HIT_SURCHARGE if assignments >= LARGE_HIT_ASSIGNMENTS else 0)
        per_assignment = max(MINIMUM_FEE, money(reward * rate))
        return per_assignment * assignments

    def hit_sizes(self, assignments: int) -> list[int]:
        split = hit_sizes_below(LARGE_HIT_ASSIGNMENTS, assignments)
        reward = Decimal("1")  # the surcharge is proportional: any reward compares the same
        whole = self.fee(reward=reward, assignments=assignments)
        parts = sum(self.fee(reward=reward, assignments=size) for size in split)
        return split if parts < whole else [assignments]

    # --- HITs ---

    def create_hit_type(self, spec: HitTypeSpec) -> str:
        params = {
            "Title": spec.title,
            "Description": spec.description,
            "Reward": str(money(spec.reward)),
            "AssignmentDurationInSeconds": spec.duration,
            "Keywords": spec.keywords,
            "AutoApprovalDelayInSeconds": spec.auto_approval_delay,
        }
        if spec.qualifications and not self.sandbox:
            params["QualificationRequirements"] = [
                self._requirement(q) for q in spec.qualifications
            ]
        return self._call("create_hit_type", **params)["HITTypeId"]

    @staticmethod
    def _requirement(requirement: QualificationRequirement) -> dict:
        type_id = SYSTEM_QUALIFICATIONS.get(requirement.name, requirement.name)
        return {
            "QualificationTypeId": type_id,
            "Comparator": requirement.comparator,
            "IntegerValues": [requirement.value],
            "ActionsGuarded": "DiscoverPreviewAndAccept",
        }

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
        try:
            response = self._call(
                "create_hit_with_hit_type",
                HITTypeId=hit_type_id,
                MaxAssignments=max_assignments,
                LifetimeInSeconds=lifetime,
                Question=external_question(external_url, frame_height),
                RequesterAnnotation=annotation,
                UniqueRequestToken=unique_token,
            )
        except MarketplaceError as exc:
            if "UniqueRequestToken" not in str(exc):
                raise
            # A retry of a call that already created the HIT: find it by its annotation.
            for hit in self.list_hits():
                if hit.annotation == annotation:
                    return hit
            raise
        return self._remote_hit(response["HIT"])

    @staticmethod
    def _remote_hit(hit: dict) -> RemoteHit:
        return RemoteHit(
            hit_id=hit["HITId"],
            hit_type_id=hit["HITTypeId"],
            status=hit["HITStatus"],
            max_assignments=hit["MaxAssignments"],
            available=hit.get("NumberOfAssignmentsAvailable", 0),
            pending=hit.get("NumberOfAssignmentsPending", 0),
            completed=hit.get("NumberOfAssignmentsCompleted", 0),
            expires_at=hit["Expiration"],
            annotation=hit.get("RequesterAnnotation", ""),
        )

    def get_hit(self, hit_id: str) -> RemoteHit:
        return self._remote_hit(self._call("get_hit", HITId=hit_id)["HIT"])

    def list_hits(self) -> list[RemoteHit]:
        hits, token = [], None
        while True:
            params = {"MaxResults": 100, **({"NextToken": token} if token else {})}
            response = self._call("list_hits", **params)
            hits += [self._remote_hit(hit) for hit in response.get("HITs", [])]
            token = response.get("NextToken")
            if not token:
                return hits

    def expire_hit(self, hit_id: str) -> None:
        from datetime import UTC, datetime

        # Setting an expiration in the past expires the HIT at once.
        self._call(
            "update_expiration_for_hit", HITId=hit_id, ExpireAt=datetime(2015, 1, 1, tzinfo=UTC)
        )

    def delete_hit(self, hit_id: str) -> None:
        self._call("delete_hit", HITId=hit_id)

    # --- assignments ---

    @staticmethod
    def _remote_assignment(item: dict) -> RemoteAssignment:
        return RemoteAssignment(
            assignment_id=item["AssignmentId"],
            hit_id=item["HITId"],
            worker_id=item["WorkerId"],
            status=item["AssignmentStatus"],
            accepted_at=item.get("AcceptTime"),
            submitted_at=item.get("SubmitTime"),
            reviewed_at=item.get("ApprovalTime") or item.get("RejectionTime"),
            deadline=item.get("Deadline"),
            answer=item.get("Answer", ""),
        )

    def list_assignments(self, hit_id: str) -> list[RemoteAssignment]:
        items, token = [], None
        while True:
            params = {
                "HITId": hit_id,
                "MaxResults": 100,
                "AssignmentStatuses": ["Submitted", "Approved", "Rejected"],
                **({"NextToken": token} if token else {}),
            }
            response = self._call("list_assignments_for_hit", **params)
            items += [self._remote_assignment(a) for a in response.get("Assignments", [])]
            token = response.get("NextToken")
            if not token:
                return items

    def _status(self, assignment_id: str) -> str:
        response = self._call("get_assignment", AssignmentId=assignment_id)
        return response["Assignment"]["AssignmentStatus"]

    def approve(
        self, assignment_id: str, *, message: str, override_rejection: bool = False
    ) -> None:
        try:
            self._call(
                "approve_assignment",
                AssignmentId=assignment_id,
                RequesterFeedback=message[:1024],
                OverrideRejection=override_rejection,
            )
        except MarketplaceUnavailable:
            raise
        except MarketplaceError:
            if self._status(assignment_id) != "Approved":
                raise

    def reject(self, assignment_id: str, *, message: str) -> None:
        try:
            self._call(
                "reject_assignment", AssignmentId=assignment_id, RequesterFeedback=message[:1024]
            )
        except MarketplaceUnavailable:
            raise
        except MarketplaceError:
            if self._status(assignment_id) != "Rejected":
                raise

    def send_bonus(
        self, *, worker_id: str, assignment_id: str, amount: Decimal, reason: str, token: str
    ) -> None:
        try:
            self._call(
                "send_bonus",
                WorkerId=worker_id,
                AssignmentId=assignment_id,
                BonusAmount=str(money(amount)),
                Reason=reason,
                UniqueRequestToken=token[:64],
            )
        except MarketplaceError as exc:
            if "UniqueRequestToken" not in str(exc):
                raise  # a duplicate token means this bonus was paid already

    def list_bonuses(self, assignment_id: str) -> list[RemoteBonus]:
        response = self._call("list_bonus_payments", AssignmentId=assignment_id, MaxResults=100)
        return [
            RemoteBonus(
                assignment_id=item["AssignmentId"],
                worker_id=item["WorkerId"],
                amount=Decimal(item["BonusAmount"]),
                reason=item.get("Reason", ""),
            )
            for item in response.get("BonusPayments", [])
        ]

    # --- account and workers ---

    def balance(self) -> Decimal:
        return Decimal(self._call("get_account_balance")["AvailableBalance"])

    def block_worker(self, worker_id: str, *, reason: str) -> None:
        self._call("create_worker_block", WorkerId=worker_id, Reason=reason[:1024] or "blocked")

    def unblock_worker(self, worker_id: str, *, reason: str) -> None:
        self._call("delete_worker_block", WorkerId=worker_id, Reason=reason[:1024])

    def is_blocked(self, worker_id: str) -> bool:
        token = None
        while True:
            params = {"MaxResults": 100, **({"NextToken": token} if token else {})}
            response = self._call("list_worker_blocks", **params)
            if any(b["WorkerId"] == worker_id for b in response.get("WorkerBlocks", [])):
                return True
            token = response.get("NextToken")
            if not token:
                return False

    # --- custom qualifications ---

    def create_qualification_type(self, *, name: str, description: str, keywords: str) -> str:
        try:
            response = self._call(
                "create_qualification_type",
                Name=name,
                Description=description,
                Keywords=keywords,
                QualificationTypeStatus="Active",
            )
            return response["QualificationType"]["QualificationTypeId"]
        except MarketplaceUnavailable:
            raise
        except MarketplaceError:
            # MTurk refuses a second type with the same name: find ours.
            found = self._call(
                "list_qualification_types",
                Query=name,
                MustBeRequestable=False,
                MustBeOwnedByCaller=True,
                MaxResults=100,
            ).get("QualificationTypes", [])
            for item in found:
                if item["Name"] == name:
                    return item["QualificationTypeId"]
            raise

    def grant_qualification(self, *, type_id: str, worker_id: str, value: int) -> None:
        self._call(
            "associate_qualification_with_worker",
            QualificationTypeId=type_id,
            WorkerId=worker_id,
            IntegerValue=value,
            SendNotification=False,
        )

    def revoke_qualification(self, *, type_id: str, worker_id: str, reason: str) -> None:
        self._call(
            "disassociate_qualification_from_worker",
            QualificationTypeId=type_id,
            WorkerId=worker_id,
            Reason=reason,
        )

    def qualification_score(self, *, type_id: str, worker_id: str) -> int | None:
        try:
            response = self._call(
                "get_qualification_score", QualificationTypeId=type_id, WorkerId=worker_id
            )
        except MarketplaceUnavailable:
            raise
        except MarketplaceError:
            return None
        qualification = response["Qualification"]
        if qualification.get("Status", "Granted") != "Granted":
            return None
        return qualification.get("IntegerValue")

    def submit_url(self) -> str:
        """Where the task page sends the worker when done (MTurk's externalSubmit host)."""
        return SANDBOX_SUBMIT_URL if self.sandbox else PRODUCTION_SUBMIT_URL
