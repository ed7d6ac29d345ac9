"""Custom qualifications: ours in the database, mirrored on each marketplace."""

from __future__ import annotations

from django.db import transaction

from opensurfaces.crowd.backends import get_backend
from opensurfaces.crowd.backends.base import MarketplaceBackend
from opensurfaces.crowd.models import Qualification, QualificationGrant, Worker


def _account(backend: MarketplaceBackend) -> str:
    return f"{backend.name}-{'sandbox' if backend.sandbox else 'production'}"


def qualification_external_id(*, qualification: Qualification, backend: MarketplaceBackend) -> str:
    """Return the marketplace's id for a qualification, creating the type there if needed."""
    account = _account(backend)
    if account not in qualification.external_ids:
        type_id = backend.create_qualification_type(
            name=qualification.name,
            description=qualification.description or qualification.name,
            keywords=qualification.keywords,
        )
        with transaction.atomic():
            locked = Qualification.objects.select_for_update().get(pk=qualification.pk)
            locked.external_ids = {**locked.external_ids, account: type_id}
            locked.save(update_fields=["external_ids", "updated_at"])
        qualification.external_ids = locked.external_ids
    return qualification.external_ids[account]


def qualification_grant(
    *, qualification: Qualification, worker: Worker, value: int = 1, sandbox: bool
) -> QualificationGrant:
    """Give a worker a qualification value, here and on their marketplace."""
    backend = get_backend(worker.marketplace, sandbox=sandbox)
    type_id = qualification_external_id(qualification=qualification, backend=backend)
    grant, _ = QualificationGrant.objects.update_or_create(
        qualification=qualification, worker=worker, defaults={"value": value, "granted": True}
    )
    backend.grant_qualification(type_id=type_id, worker_id=worker.external_id, value=value)
    return grant


def qualification_revoke(
    *, qualification: Qualification, worker: Worker, reason: str, sandbox: bool
) -> None:
    backend = get_backend(worker.marketplace, sandbox=sandbox)
    type_id = qualification_external_id(qualification=qualification, backend=backend)
    QualificationGrant.objects.filter(qualification=qualification, worker=worker).update(
        granted=False
    )
    backend.revoke_qualification(type_id=type_id, worker_id=worker.external_id, reason=reason)
