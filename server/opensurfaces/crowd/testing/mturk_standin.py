"""A local stand-in for the Amazon Mechanical Turk requester API (JSON protocol).

boto3's ``mturk`` client reaches it through ``endpoint_url``, so the code under test is
the real client end to end. It keeps HIT types, HITs, assignments, bonuses, blocks and
the account balance in memory, charges MTurk's fees, and answers errors the way MTurk
does (``RequestError`` / ``ServiceFault`` with HTTP 400/500).

Workers are simulated through control endpoints that MTurk's worker website would cover:

    POST /_standin/accept   {"HITId", "WorkerId"}      -> {"AssignmentId"}
    POST /_standin/submit   {"AssignmentId", "Answer"}  -> {}
    POST /_standin/return   {"AssignmentId"}            -> {}
    POST /_standin/fail     {"Operation", "Count", "Code"}  make the next calls fail
    GET  /_standin/state                                 everything, for assertions

Run it on its own with ``manage.py mturk_standin --port 8555``.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opensurfaces.crowd.backends.base import money

TARGET_PREFIX = "MTurkRequesterServiceV20170117."
COMMISSION = Decimal("0.20")
LARGE_HIT_SURCHARGE = Decimal("0.20")


class RequestError(Exception):
    code = "RequestError"
    status = 400


class ServiceFault(Exception):
    code = "ServiceFault"
    status = 500


def _new_id() -> str:
    return uuid.uuid4().hex[:30].upper()


@dataclass
class HitType:
    id: str
    params: dict


@dataclass
class Hit:
    id: str
    hit_type: HitType
    max_assignments: int
    question: str
    annotation: str
    created: float
    expiration: float
    token: str = ""
    deleted: bool = False


@dataclass
class Assignment:
    id: str
    hit: Hit
    worker_id: str
    accepted: float
    deadline: float
    status: str = "Accepted"  # Accepted, Submitted, Approved, Rejected, Returned
    submitted: float | None = None
    reviewed: float | None = None
    answer: str = ""
    feedback: str = ""


@dataclass
class Bonus:
    assignment: Assignment
    worker_id: str
    amount: Decimal
    reason: str
    token: str
    granted: float


@dataclass
class State:
    balance: Decimal = Decimal("10000.00")
    hit_types: dict[str, HitType] = field(default_factory=dict)
    hits: dict[str, Hit] = field(default_factory=dict)
    assignments: dict[str, Assignment] = field(default_factory=dict)
    bonuses: list[Bonus] = field(default_factory=list)
    blocks: dict[str, str] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)
    qualification_types: dict[str, dict] = field(default_factory=dict)
    qualifications: dict[tuple[str, str], int] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    failures: dict[str, list[str]] = field(default_factory=dict)


def _fee(amount: Decimal, max_assignments: int) -> Decimal:
    rate = COMMISSION + (LARGE_HIT_SURCHARGE if max_assignments >= 10 else 0)
    return max(Decimal("0.01"), money(amount * rate))


class MTurkStandIn:
    """The stand-in server; ``url`` is the endpoint to give boto3."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, balance: str = "10000.00"):
        self.lock = threading.RLock()
        self.state = State(balance=Decimal(balance))
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # noqa: A002 (quiet)
                pass

            def do_GET(self):
                if self.path == "/_standin/state":
                    self._reply(200, standin.snapshot())
                else:
                    self._reply(404, {"message": "not found"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path.startswith("/_standin/"):
                    handler = getattr(standin, "control_" + self.path.rsplit("/", 1)[-1], None)
                    if handler is None:
                        self._reply(404, {"message": "no such control"})
                        return
                    try:
                        self._reply(200, handler(body))
                    except RequestError as exc:
                        self._reply(400, {"message": str(exc)})
                    return
                target = self.headers.get("X-Amz-Target", "")
                operation = target.removeprefix(TARGET_PREFIX)
                try:
                    result = standin.call(operation, body)
                except (RequestError, ServiceFault) as exc:
                    self._reply(exc.status, {"__type": exc.code, "Message": str(exc)})
                    return
                self._reply(200, result)

            def _reply(self, status: int, payload: dict) -> None:
                data = json.dumps(payload, default=str).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> MTurkStandIn:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- dispatch ---

    def call(self, operation: str, params: dict) -> dict:
        with self.lock:
            self.state.calls.append(operation)
            queued = self.state.failures.get(operation) or self.state.failures.get("*")
            if queued:
                code = queued.pop(0)
                raise (ServiceFault if code == "ServiceFault" else RequestError)(
                    f"simulated {code} for {operation}"
                )
            handler = getattr(self, "op_" + operation, None)
            if handler is None:
                raise RequestError(f"operation {operation} is not supported by the stand-in")
            self._tick()
            return handler(params)

    def _tick(self) -> None:
        """Apply the passage of time: deadlines and automatic approvals."""
        now = time.time()
        for item in self.state.assignments.values():
            if item.status == "Accepted" and item.deadline <= now:
                item.status = "Returned"
            delay = int(item.hit.hit_type.params.get("AutoApprovalDelayInSeconds", 2592000))
            if item.status == "Submitted" and item.submitted and item.submitted + delay <= now:
                self._pay(item, "")

    def _hit(self, hit_id: str) -> Hit:
        hit = self.state.hits.get(hit_id)
        if hit is None or hit.deleted:
            raise RequestError(f"Hit {hit_id} does not exist. (1234567890)")
        return hit

    def _assignment(self, assignment_id: str) -> Assignment:
        item = self.state.assignments.get(assignment_id)
        if item is None:
            raise RequestError(f"Assignment {assignment_id} does not exist.")
        return item

    def _counts(self, hit: Hit) -> dict[str, int]:
        items = [a for a in self.state.assignments.values() if a.hit is hit]
        pending = sum(1 for a in items if a.status == "Accepted")
        completed = sum(1 for a in items if a.status in ("Submitted", "Approved", "Rejected"))
        live = hit.expiration > time.time()
        available = max(0, hit.max_assignments - pending - completed) if live else 0
        return {"pending": pending, "completed": completed, "available": available}

    def _hit_json(self, hit: Hit) -> dict:
        counts = self._counts(hit)
        if counts["available"]:
            status = "Assignable"
        elif counts["pending"]:
            status = "Unassignable"
        else:
            status = "Reviewable"
        params = hit.hit_type.params
        return {
            "HITId": hit.id,
            "HITTypeId": hit.hit_type.id,
            "CreationTime": hit.created,
            "Title": params["Title"],
            "Description": params["Description"],
            "Question": hit.question,
            "Keywords": params.get("Keywords", ""),
            "HITStatus": status,
            "MaxAssignments": hit.max_assignments,
            "Reward": params["Reward"],
            "AutoApprovalDelayInSeconds": params.get("AutoApprovalDelayInSeconds", 2592000),
            "Expiration": hit.expiration,
            "AssignmentDurationInSeconds": params["AssignmentDurationInSeconds"],
            "QualificationRequirements": params.get("QualificationRequirements", []),
            "RequesterAnnotation": hit.annotation,
            "NumberOfAssignmentsPending": counts["pending"],
            "NumberOfAssignmentsAvailable": counts["available"],
            "NumberOfAssignmentsCompleted": counts["completed"],
        }

    @staticmethod
    def _assignment_json(item: Assignment) -> dict:
        data = {
            "AssignmentId": item.id,
            "WorkerId": item.worker_id,
            "HITId": item.hit.id,
            "AssignmentStatus": item.status,
            "AcceptTime": item.accepted,
            "Deadline": item.deadline,
            "Answer": item.answer,
        }
        if item.submitted:
            data["SubmitTime"] = item.submitted
            data["AutoApprovalTime"] = item.submitted + int(
                item.hit.hit_type.params.get("AutoApprovalDelayInSeconds", 2592000)
            )
        if item.status == "Approved":
            data["ApprovalTime"] = item.reviewed
        if item.status == "Rejected":
            data["RejectionTime"] = item.reviewed
        if item.feedback:
            data["RequesterFeedback"] = item.feedback
        return data

    def _use_token(self, token: str | None) -> None:
        if token:
            if token in self.state.tokens:
                raise RequestError(
                    f"The request with UniqueRequestToken {token} has already been processed."
                )
            self.state.tokens.add(token)

    def _pay(self, item: Assignment, feedback: str) -> None:
        reward = Decimal(item.hit.hit_type.params["Reward"])
        cost = reward + _fee(reward, item.hit.max_assignments)
        if cost > self.state.balance:
            raise RequestError("This Requester has insufficient funds in their account.")
        self.state.balance -= cost
        item.status, item.reviewed, item.feedback = "Approved", time.time(), feedback

    # --- requester operations ---

    def op_GetAccountBalance(self, params: dict) -> dict:
        return {"AvailableBalance": str(self.state.balance)}

    def op_CreateHITType(self, params: dict) -> dict:
        for key in ("Title", "Description", "Reward", "AssignmentDurationInSeconds"):
            if key not in params:
                raise RequestError(f"{key} is required")
        if Decimal(params["Reward"]) < 0:
            raise RequestError("Reward must be positive")
        key = json.dumps(params, sort_keys=True)
        for hit_type in self.state.hit_types.values():
            if json.dumps(hit_type.params, sort_keys=True) == key:
                return {"HITTypeId": hit_type.id}
        hit_type = HitType(id=_new_id(), params=params)
        self.state.hit_types[hit_type.id] = hit_type
        return {"HITTypeId": hit_type.id}

    def op_CreateHITWithHITType(self, params: dict) -> dict:
        hit_type = self.state.hit_types.get(params.get("HITTypeId", ""))
        if hit_type is None:
            raise RequestError(f"HITType {params.get('HITTypeId')} does not exist.")
        if "<ExternalURL>" not in params.get("Question", ""):
            raise RequestError("Question must be an ExternalQuestion")
        if not 1 <= int(params.get("MaxAssignments", 1)) <= 1000000:
            raise RequestError("MaxAssignments is out of range")
        self._use_token(params.get("UniqueRequestToken"))
        now = time.time()
        hit = Hit(
            id=_new_id(),
            hit_type=hit_type,
            max_assignments=int(params.get("MaxAssignments", 1)),
            question=params["Question"],
            annotation=params.get("RequesterAnnotation", ""),
            created=now,
            expiration=now + int(params["LifetimeInSeconds"]),
            token=params.get("UniqueRequestToken", ""),
        )
        self.state.hits[hit.id] = hit
        return {"HIT": self._hit_json(hit)}

    def op_GetHIT(self, params: dict) -> dict:
        return {"HIT": self._hit_json(self._hit(params["HITId"]))}

    def op_ListHITs(self, params: dict) -> dict:
        hits = [h for h in self.state.hits.values() if not h.deleted]
        start = int(params.get("NextToken") or 0)
        size = int(params.get("MaxResults", 10))
        page = hits[start : start + size]
        result: dict[str, Any] = {
            "NumResults": len(page),
            "HITs": [self._hit_json(h) for h in page],
        }
        if start + size < len(hits):
            result["NextToken"] = str(start + size)
        return result

    def op_UpdateExpirationForHIT(self, params: dict) -> dict:
        hit = self._hit(params["HITId"])
        hit.expiration = min(hit.expiration, float(params["ExpireAt"]))
        return {}

    def op_DeleteHIT(self, params: dict) -> dict:
        hit = self._hit(params["HITId"])
        counts = self._counts(hit)
        if hit.expiration > time.time() and counts["available"] + counts["pending"]:
            raise RequestError("This HIT is currently in the state 'Assignable'.")
        if any(a.hit is hit and a.status == "Submitted" for a in self.state.assignments.values()):
            raise RequestError("This HIT has assignments that are not approved or rejected.")
        hit.deleted = True
        return {}

    def op_ListAssignmentsForHIT(self, params: dict) -> dict:
        hit = self._hit(params["HITId"])
        statuses = params.get("AssignmentStatuses") or ["Submitted", "Approved", "Rejected"]
        items = [
            a for a in self.state.assignments.values() if a.hit is hit and a.status in statuses
        ]
        start = int(params.get("NextToken") or 0)
        size = int(params.get("MaxResults", 10))
        page = items[start : start + size]
        result: dict[str, Any] = {
            "NumResults": len(page),
            "Assignments": [self._assignment_json(a) for a in page],
        }
        if start + size < len(items):
            result["NextToken"] = str(start + size)
        return result

    def op_GetAssignment(self, params: dict) -> dict:
        item = self._assignment(params["AssignmentId"])
        return {"Assignment": self._assignment_json(item), "HIT": self._hit_json(item.hit)}

    def op_ApproveAssignment(self, params: dict) -> dict:
        item = self._assignment(params["AssignmentId"])
        allowed = ("Submitted", "Rejected") if params.get("OverrideRejection") else ("Submitted",)
        if item.status not in allowed:
            raise RequestError(
                f"This operation can be called with a status of: {', '.join(allowed)} "
                f"(assignment is {item.status})"
            )
        self._pay(item, params.get("RequesterFeedback", ""))
        return {}

    def op_RejectAssignment(self, params: dict) -> dict:
        item = self._assignment(params["AssignmentId"])
        if item.status != "Submitted":
            raise RequestError(
                f"This operation can be called with a status of: Submitted ({item.status})"
            )
        if not params.get("RequesterFeedback"):
            raise RequestError("RequesterFeedback is required to reject")
        item.status, item.reviewed = "Rejected", time.time()
        item.feedback = params["RequesterFeedback"]
        return {}

    def op_SendBonus(self, params: dict) -> dict:
        item = self._assignment(params["AssignmentId"])
        if item.worker_id != params["WorkerId"]:
            raise RequestError("The assignment does not belong to this worker.")
        if item.status not in ("Approved", "Submitted"):
            raise RequestError(f"Bonuses need an approved assignment ({item.status})")
        if not params.get("Reason"):
            raise RequestError("Reason is required")
        amount = Decimal(params["BonusAmount"])
        cost = amount + max(Decimal("0.01"), money(amount * COMMISSION))
        if cost > self.state.balance:
            raise RequestError("This Requester has insufficient funds in their account.")
        self._use_token(params.get("UniqueRequestToken"))
        self.state.balance -= cost
        self.state.bonuses.append(
            Bonus(
                item,
                item.worker_id,
                amount,
                params["Reason"],
                params.get("UniqueRequestToken", ""),
                time.time(),
            )
        )
        return {}

    def op_ListBonusPayments(self, params: dict) -> dict:
        items = [
            b
            for b in self.state.bonuses
            if b.assignment.id == params.get("AssignmentId", b.assignment.id)
            and b.assignment.hit.id == params.get("HITId", b.assignment.hit.id)
        ]
        return {
            "NumResults": len(items),
            "BonusPayments": [
                {
                    "WorkerId": b.worker_id,
                    "BonusAmount": str(b.amount),
                    "AssignmentId": b.assignment.id,
                    "Reason": b.reason,
                    "GrantTime": b.granted,
                }
                for b in items
            ],
        }

    def op_CreateWorkerBlock(self, params: dict) -> dict:
        if not params.get("Reason"):
            raise RequestError("Reason is required")
        self.state.blocks[params["WorkerId"]] = params["Reason"]
        return {}

    def op_DeleteWorkerBlock(self, params: dict) -> dict:
        self.state.blocks.pop(params["WorkerId"], None)
        return {}

    def op_ListWorkerBlocks(self, params: dict) -> dict:
        blocks = [{"WorkerId": w, "Reason": r} for w, r in self.state.blocks.items()]
        return {"NumResults": len(blocks), "WorkerBlocks": blocks}

    def op_CreateQualificationType(self, params: dict) -> dict:
        for existing in self.state.qualification_types.values():
            if existing["Name"] == params["Name"]:
                raise RequestError("You have already created a QualificationType with this name.")
        type_id = _new_id()
        self.state.qualification_types[type_id] = {
            "QualificationTypeId": type_id,
            "Name": params["Name"],
            "Description": params.get("Description", ""),
            "QualificationTypeStatus": params.get("QualificationTypeStatus", "Active"),
        }
        return {"QualificationType": self.state.qualification_types[type_id]}

    def op_ListQualificationTypes(self, params: dict) -> dict:
        query = params.get("Query", "")
        found = [q for q in self.state.qualification_types.values() if query in q["Name"]]
        return {"NumResults": len(found), "QualificationTypes": found}

    def _qualification_type(self, type_id: str) -> dict:
        if type_id not in self.state.qualification_types:
            raise RequestError(f"QualificationType {type_id} does not exist.")
        return self.state.qualification_types[type_id]

    def op_AssociateQualificationWithWorker(self, params: dict) -> dict:
        self._qualification_type(params["QualificationTypeId"])
        key = (params["QualificationTypeId"], params["WorkerId"])
        self.state.qualifications[key] = int(params.get("IntegerValue", 1))
        return {}

    def op_DisassociateQualificationFromWorker(self, params: dict) -> dict:
        self._qualification_type(params["QualificationTypeId"])
        self.state.qualifications.pop((params["QualificationTypeId"], params["WorkerId"]), None)
        return {}

    def op_GetQualificationScore(self, params: dict) -> dict:
        key = (params["QualificationTypeId"], params["WorkerId"])
        if key not in self.state.qualifications:
            raise RequestError("You requested a Qualification that does not exist.")
        return {
            "Qualification": {
                "QualificationTypeId": key[0],
                "WorkerId": key[1],
                "IntegerValue": self.state.qualifications[key],
                "Status": "Granted",
            }
        }

    # --- simulated workers ---

    def control_accept(self, body: dict) -> dict:
        with self.lock:
            self._tick()
            hit = self._hit(body["HITId"])
            worker_id = body["WorkerId"]
            if worker_id in self.state.blocks:
                raise RequestError("worker is blocked")
            if any(
                a.hit is hit and a.worker_id == worker_id and a.status != "Returned"
                for a in self.state.assignments.values()
            ):
                raise RequestError("worker already has an assignment for this HIT")
            if not self._counts(hit)["available"]:
                raise RequestError("HIT has no assignments available")
            now = time.time()
            duration = int(hit.hit_type.params["AssignmentDurationInSeconds"])
            item = Assignment(_new_id(), hit, worker_id, now, now + duration)
            self.state.assignments[item.id] = item
            return {"AssignmentId": item.id}

    def control_submit(self, body: dict) -> dict:
        with self.lock:
            item = self._assignment(body["AssignmentId"])
            if item.status != "Accepted":
                raise RequestError(f"assignment is {item.status}")
            item.status, item.submitted = "Submitted", time.time()
            item.answer = body.get("Answer", "")
            return {}

    def control_return(self, body: dict) -> dict:
        with self.lock:
            item = self._assignment(body["AssignmentId"])
            if item.status == "Accepted":
                item.status = "Returned"
            return {}

    def control_fail(self, body: dict) -> dict:
        with self.lock:
            queue = self.state.failures.setdefault(body.get("Operation", "*"), [])
            queue.extend([body.get("Code", "ServiceFault")] * int(body.get("Count", 1)))
            return {}

    def snapshot(self) -> dict:
        with self.lock:
            return {
                "balance": str(self.state.balance),
                "hit_types": {t.id: t.params for t in self.state.hit_types.values()},
                "hits": [
                    self._hit_json(h) | {"Deleted": h.deleted} for h in self.state.hits.values()
                ],
                "assignments": [self._assignment_json(a) for a in self.state.assignments.values()],
                "bonuses": [
                    {
                        "AssignmentId": b.assignment.id,
                        "WorkerId": b.worker_id,
                        "BonusAmount": str(b.amount),
                        "Reason": b.reason,
                        "Token": b.token,
                    }
                    for b in self.state.bonuses
                ],
                "blocks": dict(self.state.blocks),
                "calls": list(self.state.calls),
            }
