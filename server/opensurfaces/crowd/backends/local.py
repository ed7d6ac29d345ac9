"""The local marketplace: in-house annotators with accounts on this site.

Its state lives in our database (crowd.models.Local*), so it needs no outside service;
the embedded default uses it. Annotators ask for work at /crowd/work/, which reserves the
next assignment for them until its deadline; an assignment not submitted in time is
released for someone else. Payments cost nothing here but are kept in the same ledger.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from opensurfaces.crowd.backends.base import (
    HitTypeSpec,
    MarketplaceBackend,
    MarketplaceError,
    RemoteAssignment,
    RemoteBonus,
    RemoteHit,
)
from opensurfaces.crowd.models import (
    LocalAssignment,
    LocalBlock,
    LocalBonus,
    LocalHit,
    LocalHitType,
)


def _new_id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:20].upper()}"


class LocalBackend(MarketplaceBackend):
    name = "local"

    # --- HITs ---

    def create_hit_type(self, spec: HitTypeSpec) -> str:
        fields = {
            "sandbox": self.sandbox,
            "title": spec.title,
            "description": spec.description,
            "keywords": spec.keywords,
            "reward": spec.reward,
            "duration": spec.duration,
            "auto_approval_delay": spec.auto_approval_delay,
            "qualifications": [q.__dict__ for q in spec.qualifications],
        }
        existing = LocalHitType.objects.filter(**fields).first()
        if existing:
            return existing.external_id
        return LocalHitType.objects.create(external_id=_new_id("LT"), **fields).external_id

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
        hit_type = self._hit_type(hit_type_id)
        existing = LocalHit.objects.filter(annotation=annotation, hit_type=hit_type).first()
        if existing and annotation:
            return self._remote_hit(existing)
        hit = LocalHit.objects.create(
            external_id=_new_id("LH"),
            hit_type=hit_type,
            external_url=external_url,
            frame_height=frame_height,
            max_assignments=max_assignments,
            annotation=annotation,
            expires_at=timezone.now() + timedelta(seconds=lifetime),
        )
        return self._remote_hit(hit)

    @staticmethod
    def _hit_type(hit_type_id: str) -> LocalHitType:
        try:
            return LocalHitType.objects.get(external_id=hit_type_id)
        except LocalHitType.DoesNotExist:
            raise MarketplaceError(f"unknown HIT type {hit_type_id}") from None

    def _local_hit(self, hit_id: str) -> LocalHit:
        try:
            return LocalHit.objects.select_related("hit_type").get(
                external_id=hit_id, deleted=False
            )
        except LocalHit.DoesNotExist:
            raise MarketplaceError(f"unknown HIT {hit_id}") from None

    @staticmethod
    def _remote_hit(hit: LocalHit) -> RemoteHit:
        now = timezone.now()
        counts = hit.assignments.aggregate(
            pending=Count("id", filter=Q(status="Accepted", deadline__gt=now)),
            completed=Count("id", filter=Q(status__in=["Submitted", "Approved", "Rejected"])),
        )
        available = max(0, hit.max_assignments - counts["pending"] - counts["completed"])
        if available and hit.expires_at > now:
            status = "Assignable"
        elif counts["completed"] >= hit.max_assignments or hit.expires_at <= now:
            status = "Reviewable"
        else:
            status = "Unassignable"
        return RemoteHit(
            hit_id=hit.external_id,
            hit_type_id=hit.hit_type.external_id,
            status=status,
            max_assignments=hit.max_assignments,
            available=available if hit.expires_at > now else 0,
            pending=counts["pending"],
            completed=counts["completed"],
            expires_at=hit.expires_at,
            annotation=hit.annotation,
        )

    def get_hit(self, hit_id: str) -> RemoteHit:
        return self._remote_hit(self._local_hit(hit_id))

    def list_hits(self) -> list[RemoteHit]:
        hits = LocalHit.objects.filter(deleted=False, hit_type__sandbox=self.sandbox)
        return [self._remote_hit(hit) for hit in hits.select_related("hit_type")]

    def expire_hit(self, hit_id: str) -> None:
        hit = self._local_hit(hit_id)
        LocalHit.objects.filter(pk=hit.pk, expires_at__gt=timezone.now()).update(
            expires_at=timezone.now()
        )

    def delete_hit(self, hit_id: str) -> None:
        hit = self._local_hit(hit_id)
        if hit.expires_at > timezone.now():
            raise MarketplaceError(f"HIT {hit_id} has not expired")
        if hit.assignments.filter(status="Submitted").exists():
            raise MarketplaceError(f"HIT {hit_id} has assignments to review")
        LocalHit.objects.filter(pk=hit.pk).update(deleted=True)

    # --- assignments ---

    @staticmethod
    def _remote_assignment(item: LocalAssignment) -> RemoteAssignment:
        return RemoteAssignment(
            assignment_id=item.external_id,
            hit_id=item.hit.external_id,
            worker_id=item.worker_id,
            status=item.status,
            accepted_at=item.accepted_at,
            submitted_at=item.submitted_at,
            reviewed_at=item.reviewed_at,
            deadline=item.deadline,
            answer=item.answer,
        )

    def list_assignments(self, hit_id: str) -> list[RemoteAssignment]:
        hit = self._local_hit(hit_id)
        items = hit.assignments.filter(status__in=["Submitted", "Approved", "Rejected"])
        return [self._remote_assignment(a) for a in items.select_related("hit")]

    def _assignment(self, assignment_id: str) -> LocalAssignment:
        try:
            return LocalAssignment.objects.select_related("hit").get(external_id=assignment_id)
        except LocalAssignment.DoesNotExist:
            raise MarketplaceError(f"unknown assignment {assignment_id}") from None

    def approve(
        self, assignment_id: str, *, message: str, override_rejection: bool = False
    ) -> None:
        item = self._assignment(assignment_id)
        allowed = ["Submitted", "Rejected"] if override_rejection else ["Submitted"]
        updated = LocalAssignment.objects.filter(pk=item.pk, status__in=allowed).update(
            status="Approved", reviewed_at=timezone.now(), feedback=message
        )
        if not updated and item.status != "Approved":
            raise MarketplaceError(f"assignment {assignment_id} is {item.status}, not Submitted")

    def reject(self, assignment_id: str, *, message: str) -> None:
        item = self._assignment(assignment_id)
        updated = LocalAssignment.objects.filter(pk=item.pk, status="Submitted").update(
            status="Rejected", reviewed_at=timezone.now(), feedback=message
        )
        if not updated and item.status != "Rejected":
            raise MarketplaceError(f"assignment {assignment_id} is {item.status}, not Submitted")

    def send_bonus(
        self, *, worker_id: str, assignment_id: str, amount: Decimal, reason: str, token: str
    ) -> None:
        item = self._assignment(assignment_id)
        if item.worker_id != worker_id:
            raise MarketplaceError(f"assignment {assignment_id} is not worker {worker_id}'s")
        if item.status not in ("Approved", "Submitted"):
            raise MarketplaceError(f"assignment {assignment_id} is {item.status}")
        try:
            with transaction.atomic():
                LocalBonus.objects.create(
                    token=token[:64],
                    assignment=item,
                    worker_id=worker_id,
                    amount=amount,
                    reason=reason,
                )
        except IntegrityError:
            pass  # this token was paid already

    def list_bonuses(self, assignment_id: str) -> list[RemoteBonus]:
        return [
            RemoteBonus(
                assignment_id=assignment_id, worker_id=b.worker_id, amount=b.amount, reason=b.reason
            )
            for b in LocalBonus.objects.filter(assignment__external_id=assignment_id)
        ]

    # --- account and workers ---

    def balance(self) -> Decimal:
        """The in-house budget (CROWD_LOCAL_BUDGET) less what was paid from it."""
        from opensurfaces.crowd.models import Payment

        spent = Payment.objects.filter(
            marketplace=self.name, sandbox=self.sandbox, state__in=["sent", "reconciled"]
        ).aggregate(total=Sum("amount"))["total"]
        return Decimal(settings.CROWD_LOCAL_BUDGET) - (spent or Decimal("0"))

    def block_worker(self, worker_id: str, *, reason: str) -> None:
        LocalBlock.objects.update_or_create(worker_id=worker_id, defaults={"reason": reason})

    def unblock_worker(self, worker_id: str, *, reason: str) -> None:
        LocalBlock.objects.filter(worker_id=worker_id).delete()

    def is_blocked(self, worker_id: str) -> bool:
        return LocalBlock.objects.filter(worker_id=worker_id).exists()

    # --- custom qualifications ---
    # The local marketplace's qualification types are our own Qualification rows; their
    # id is the slug, and grants are QualificationGrant rows.

    def create_qualification_type(self, *, name: str, description: str, keywords: str) -> str:
        from django.utils.text import slugify

        from opensurfaces.crowd.models import Qualification

        qualification, _ = Qualification.objects.get_or_create(
            slug=slugify(name)[:64] or "qualification",
            defaults={"name": name, "description": description, "keywords": keywords},
        )
        return qualification.slug

    def _grant_rows(self, type_id: str, worker_id: str):
        from opensurfaces.crowd.models import QualificationGrant

        return QualificationGrant.objects.filter(
            qualification__slug=type_id, worker__marketplace="local", worker__external_id=worker_id
        )

    def grant_qualification(self, *, type_id: str, worker_id: str, value: int) -> None:
        from opensurfaces.crowd.models import Qualification, QualificationGrant, Worker

        qualification = Qualification.objects.filter(slug=type_id).first()
        worker = Worker.objects.filter(marketplace="local", external_id=worker_id).first()
        if qualification is None or worker is None:
            raise MarketplaceError(f"unknown qualification {type_id} or worker {worker_id}")
        QualificationGrant.objects.update_or_create(
            qualification=qualification, worker=worker, defaults={"value": value, "granted": True}
        )

    def revoke_qualification(self, *, type_id: str, worker_id: str, reason: str) -> None:
        self._grant_rows(type_id, worker_id).update(granted=False)

    def qualification_score(self, *, type_id: str, worker_id: str) -> int | None:
        grant = self._grant_rows(type_id, worker_id).filter(granted=True).first()
        return grant.value if grant else None

    # --- what annotators do (the marketplace's own pages) ---

    def reserve(self, *, worker_id: str, hit_ids: list[str]) -> RemoteAssignment | None:
        """Give the worker an assignment of the first HIT in ``hit_ids`` with a free slot.

        A slot is free unless it is submitted, reviewed, or accepted with time left; an
        accepted assignment past its deadline is released (marked Abandoned) first.
        """
        if self.is_blocked(worker_id):
            return None
        now = timezone.now()
        self.release_abandoned()
        for hit_id in hit_ids:
            with transaction.atomic():
                hit = (
                    LocalHit.objects.select_for_update()
                    .select_related("hit_type")
                    .filter(external_id=hit_id, deleted=False, expires_at__gt=now)
                    .first()
                )
                if hit is None:
                    continue
                taken = hit.assignments.exclude(status="Abandoned")
                if taken.filter(worker_id=worker_id).exists():
                    continue
                if taken.count() >= hit.max_assignments:
                    continue
                item = LocalAssignment.objects.create(
                    external_id=_new_id("LA"),
                    hit=hit,
                    worker_id=worker_id,
                    deadline=now + timedelta(seconds=hit.hit_type.duration),
                )
                return self._remote_assignment(item)
        return None

    def accepted(self, *, worker_id: str) -> RemoteAssignment | None:
        """Return the worker's assignment in progress (accepted, deadline not passed)."""
        item = (
            LocalAssignment.objects.select_related("hit")
            .filter(worker_id=worker_id, status="Accepted", deadline__gt=timezone.now())
            .order_by("accepted_at")
            .first()
        )
        return self._remote_assignment(item) if item else None

    def mark_submitted(self, assignment_id: str, *, answer: str = "") -> RemoteAssignment:
        """The worker finished (the local twin of MTurk's externalSubmit)."""
        item = self._assignment(assignment_id)
        LocalAssignment.objects.filter(pk=item.pk, status="Accepted").update(
            status="Submitted", submitted_at=timezone.now(), answer=answer
        )
        item.refresh_from_db()
        if item.status == "Abandoned":
            raise MarketplaceError(f"assignment {assignment_id} was released: its time ran out")
        return self._remote_assignment(item)

    def return_assignment(self, assignment_id: str, *, worker_id: str) -> None:
        """The worker gives the assignment back unfinished."""
        LocalAssignment.objects.filter(
            external_id=assignment_id, worker_id=worker_id, status="Accepted"
        ).update(status="Abandoned")

    def release_abandoned(self) -> int:
        """Release accepted assignments whose deadline passed; return how many."""
        return LocalAssignment.objects.filter(
            status="Accepted", deadline__lte=timezone.now()
        ).update(status="Abandoned")
