"""Dispatch: batch pending content into HITs on the marketplace, within limits and budget.

1. Update pending content from the inputs (new ones, filter changes).
2. Per marketplace account, read the balance; the budget is balance minus CROWD_MIN_BALANCE.
3. Per active experiment (highest settings priority first), take wanted items ordered
   partly-done first, then by priority; cut them into batches of contents_per_hit (a
   smaller last batch only once its oldest item waited CROWD_LEFTOVER_SECONDS).
4. For each batch: assignments = ceil(most outputs still wanted / out_count_ratio), split
   into HITs where the marketplace's fee schedule makes that cheaper; stop at the
   experiment's max active or total HITs, or when the cost (rewards and fees) would
   exceed the budget.
5. Post each HIT, then record it and raise the items' scheduled counts.

Only one dispatch runs at a time (a database lock).
"""

from __future__ import annotations

import json
import logging
import math
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from opensurfaces.core.locks import db_lock
from opensurfaces.crowd.backends import get_backend
from opensurfaces.crowd.backends.base import (
    HitTypeSpec,
    MarketplaceBackend,
    QualificationRequirement,
)
from opensurfaces.crowd.models import Experiment, Hit, HitContent, HitType, PendingContent
from opensurfaces.crowd.services.pending import pending_scan_all
from opensurfaces.crowd.tasktypes import get_task_type

logger = logging.getLogger(__name__)

DISPATCH_LOCK = "crowd-dispatch"


class DispatchError(RuntimeError):
    """Dispatch cannot go on without an operator (e.g. settings out of date)."""


@dataclass
class DispatchReport:
    experiment: str
    hits: int = 0
    assignments: int = 0
    spend: Decimal = Decimal("0")
    stopped_by: str = "no more items"


def external_url(experiment: Experiment) -> str:
    """The task page URL given to the marketplace (an MTurk ExternalQuestion)."""
    path = reverse("crowd:task", kwargs={"experiment_id": experiment.pk})
    return f"{django_settings.SITE_URL}{path}"


def dispatch_all() -> list[DispatchReport]:
    """Run one dispatch over every active experiment (raises LockHeld if one is running)."""
    with db_lock(DISPATCH_LOCK, ttl=3600):
        pending_scan_all()
        experiments = (
            Experiment.objects.filter(active=True, settings__isnull=False)
            .select_related("settings")
            .order_by("-settings__priority", "slug")
        )
        budgets: dict[tuple[str, bool], Decimal] = {}
        backends: dict[tuple[str, bool], MarketplaceBackend] = {}
        reports = []
        for experiment in experiments:
            account = (experiment.settings.marketplace, experiment.settings.sandbox)
            if account not in backends:
                backends[account] = get_backend(account[0], sandbox=account[1])
                budgets[account] = backends[account].balance() - django_settings.CROWD_MIN_BALANCE
            report = dispatch_experiment(
                experiment=experiment, backend=backends[account], budget=budgets[account]
            )
            budgets[account] -= report.spend
            reports.append(report)
            if report.hits:
                logger.info(
                    "%s: %d HITs, %d assignments, $%s (%s)",
                    report.experiment,
                    report.hits,
                    report.assignments,
                    report.spend,
                    report.stopped_by,
                )
        return reports


def _wanted(experiment: Experiment):
    return PendingContent.objects.filter(
        experiment=experiment,
        num_outputs_max__gt=F("num_outputs_completed") + F("num_outputs_scheduled"),
    ).order_by("-num_outputs_completed", "-priority", "id")


def dispatch_experiment(
    *, experiment: Experiment, backend: MarketplaceBackend, budget: Decimal
) -> DispatchReport:
    """Post HITs for one experiment's wanted items, spending at most ``budget``."""
    settings = experiment.settings
    report = DispatchReport(experiment=str(experiment))
    hits = Hit.objects.filter(
        experiment=experiment, marketplace=settings.marketplace, sandbox=settings.sandbox
    )
    active = hits.filter(expired=False, all_submitted=False).count()
    total = hits.count()
    room = min(settings.max_active_hits - active, settings.max_total_hits - total)
    if room <= 0:
        report.stopped_by = "HIT limit"
        return report

    input_class = get_task_type(experiment.task_type).input_class()
    rows = list(_wanted(experiment)[: settings.contents_per_hit * room])
    existing = set(
        input_class.objects.filter(pk__in=[r.object_id for r in rows]).values_list("pk", flat=True)
    )
    gone = [r.pk for r in rows if r.object_id not in existing]
    if gone:
        PendingContent.objects.filter(pk__in=gone).delete()
        rows = [r for r in rows if r.object_id in existing]

    leftover_cutoff = timezone.now() - timedelta(seconds=django_settings.CROWD_LEFTOVER_SECONDS)
    hit_type = None
    for start in range(0, len(rows), settings.contents_per_hit):
        batch = rows[start : start + settings.contents_per_hit]
        if (
            len(batch) < settings.contents_per_hit
            and min(r.created_at for r in batch) > leftover_cutoff
        ):
            report.stopped_by = "leftover items waiting"
            break
        need = max(r.num_to_schedule for r in batch)
        assignments = math.ceil(need / settings.out_count_ratio)
        if assignments < 1:
            continue
        sizes = backend.hit_sizes(assignments)
        cost = backend.cost(reward=settings.reward, assignments=assignments)
        if active + len(sizes) > settings.max_active_hits:
            report.stopped_by = "max active HITs"
            break
        if total + len(sizes) > settings.max_total_hits:
            report.stopped_by = "max total HITs"
            break
        if report.spend + cost > budget:
            report.stopped_by = "balance"
            break
        if hit_type is None:
            hit_type = hit_type_for(experiment=experiment, backend=backend)
        _post_batch(experiment, backend, hit_type, batch, sizes)
        active += len(sizes)
        total += len(sizes)
        report.hits += len(sizes)
        report.assignments += assignments
        report.spend += cost
    return report


def hit_type_for(*, experiment: Experiment, backend: MarketplaceBackend) -> HitType:
    """Register the HIT type of the experiment's current settings (or find it)."""
    settings = experiment.settings
    spec = HitTypeSpec(
        title=settings.title,
        # The stamp makes a new marketplace type whenever the settings change (and keeps
        # two experiments with the same texts and reward apart: same spec, same type id).
        description=(
            f"{settings.description} "
            f"(updated {settings.created_at:%Y-%m-%d %H:%M:%S}, #{settings.pk})"
        ),
        reward=settings.reward,
        duration=settings.duration,
        keywords=settings.keywords,
        auto_approval_delay=settings.auto_approval_delay,
        qualifications=tuple(
            _requirement(q["name"], int(q["value"]), backend) for q in settings.qualifications
        ),
    )
    external_id = backend.create_hit_type(spec)
    hit_type, created = HitType.objects.select_related("settings").get_or_create(
        marketplace=backend.name,
        sandbox=backend.sandbox,
        external_id=external_id,
        defaults={"experiment": experiment, "settings": settings},
    )
    if not created:
        known = hit_type.settings
        if hit_type.experiment_id != experiment.pk or any(
            getattr(known, name) != getattr(settings, name)
            for name in ("frame_height", "feedback_bonus", "requirements")
        ):
            raise DispatchError(
                f"{experiment}: the marketplace's HIT type {external_id} belongs to other "
                "settings; run mtconfigure again"
            )
    return hit_type


_AT_LEAST = {"num_approved", "perc_approved", "perc_submitted"}
_AT_MOST = {"perc_abandoned", "perc_rejected", "perc_returned"}


def _requirement(name: str, value: int, backend: MarketplaceBackend) -> QualificationRequirement:
    """A built-in requirement (at least / at most), or one of our qualifications (equal to)."""
    if name in _AT_LEAST or name in _AT_MOST:
        comparator = "LessThanOrEqualTo" if name in _AT_MOST else "GreaterThanOrEqualTo"
        return QualificationRequirement(name=name, comparator=comparator, value=value)
    from opensurfaces.crowd.models import Qualification
    from opensurfaces.crowd.services.qualifications import qualification_external_id

    try:
        qualification = Qualification.objects.get(slug=name, active=True)
    except Qualification.DoesNotExist:
        raise DispatchError(f"unknown qualification {name!r}: create it in the admin") from None
    type_id = qualification_external_id(qualification=qualification, backend=backend)
    return QualificationRequirement(name=type_id, comparator="EqualTo", value=value)


def _post_batch(
    experiment: Experiment,
    backend: MarketplaceBackend,
    hit_type: HitType,
    batch: list[PendingContent],
    sizes: list[int],
) -> None:
    settings = experiment.settings
    group = uuid.uuid4().hex if len(sizes) > 1 else ""
    for size in sizes:
        token = uuid.uuid4().hex
        annotation = json.dumps({"experiment": experiment.pk, "group": group, "token": token})
        remote = backend.create_hit(
            hit_type_id=hit_type.external_id,
            external_url=external_url(experiment),
            frame_height=settings.frame_height,
            lifetime=settings.lifetime,
            max_assignments=size,
            annotation=annotation,
            unique_token=token,
        )
        with transaction.atomic():
            hit = Hit.objects.create(
                hit_type=hit_type,
                experiment=experiment,
                marketplace=backend.name,
                sandbox=backend.sandbox,
                external_id=remote.hit_id,
                group=group,
                max_assignments=size,
                out_count_ratio=settings.out_count_ratio,
                num_contents=len(batch),
                reward=settings.reward,
                expires_at=remote.expires_at,
                num_assignments_available=size,
            )
            HitContent.objects.bulk_create(
                HitContent(
                    hit=hit,
                    pending=row,
                    content_type_id=row.content_type_id,
                    object_id=row.object_id,
                )
                for row in batch
            )
            PendingContent.objects.filter(pk__in=[r.pk for r in batch]).update(
                num_outputs_scheduled=F("num_outputs_scheduled") + size * settings.out_count_ratio
            )
