"""Task types: what a kind of task shows, what answers it accepts, what rows they make.

A task type is code (a subclass of TaskType registered with ``register``); an experiment
is a configuration of one (reward, batch size, ...), declared in ``<app>/experiments.py``
and applied by ``manage.py mtconfigure``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django.apps import apps
from django.db.models import Model, QuerySet


class ResultInvalid(ValueError):
    """A worker's answer does not fit the task; ``str(exc)`` says why."""


@dataclass(frozen=True)
class SubmitItem:
    """One answered content of an assignment, as the task type's submit() receives it."""

    content: Model
    result: Any
    time_ms: int | None
    time_active_ms: int | None


class TaskType:
    """Base class of task types. Subclasses set the class attributes and hooks."""

    key: ClassVar[str]
    input_model: ClassVar[str]  # "app_label.Model"
    output_model: ClassVar[str]
    template: ClassVar[str]  # the task itself
    instructions_template: ClassVar[str]  # the MTurk preview / instructions
    tutorial_template: ClassVar[str | None] = None
    versions: ClassVar[frozenset[str]] = frozenset({"1.0"})
    # The output model's foreign key to the input it answers about.
    output_input_field: ClassVar[str] = ""
    # Per-content timings are split evenly when the page posts only totals.
    title: ClassVar[str] = ""

    # --- models ---

    @classmethod
    def input_class(cls) -> type[Model]:
        return apps.get_model(cls.input_model)

    @classmethod
    def output_class(cls) -> type[Model]:
        return apps.get_model(cls.output_model)

    # --- the task page ---

    def contents_queryset(self, ids: Iterable[int]) -> QuerySet:
        """Return the inputs with everything the page needs (override to add joins)."""
        return self.input_class().objects.filter(pk__in=list(ids))

    def content_entry(self, content: Model) -> dict[str, Any]:
        """Return the JSON the page's script gets for one input."""
        return {"id": content.pk}

    def page_context(self, contents: Sequence[Model]) -> dict[str, Any]:
        """Return extra template context for the task page."""
        return {}

    # --- answers ---

    def validate_result(self, content: Model, value: Any) -> Any:
        """Return the cleaned answer for one content, or raise ResultInvalid."""
        raise NotImplementedError

    def submit(self, *, assignment, experiment, items: Sequence[SubmitItem]) -> dict[int, list]:
        """Create the output rows for an assignment's answers; return them per input id.

        Must be idempotent: called again for the same assignment (a retried task), it
        returns the rows made the first time and creates nothing new.
        """
        raise NotImplementedError

    def grade(self, *, expected: Any, result: Any) -> bool:
        """Return whether an answer to a sentinel is right."""
        return expected == result

    def completed_counts(self, *, experiment_ids: Sequence[int], object_ids: Sequence[int]) -> dict:
        """Return {input id: valid outputs already made} by these experiments."""
        return {}

    def priority(self, content: Model) -> float:
        """Return how urgently an input should be dispatched (higher first)."""
        return 0.0

    def aggregate(self, *, experiment, object_ids: Sequence[int]) -> list[int]:
        """Recompute trusted labels of these inputs from their outputs; return changed ids."""
        return []

    def sample_results(self, contents: Sequence[Model], rng: random.Random) -> dict[str, Any]:
        """Return plausible answers for contents (simulated workers and tests)."""
        raise NotImplementedError


_REGISTRY: dict[str, TaskType] = {}


def register(task_type: type[TaskType]) -> type[TaskType]:
    """Class decorator: make a task type available under its key."""
    _REGISTRY[task_type.key] = task_type()
    return task_type


def get_task_type(key: str) -> TaskType:
    try:
        return _REGISTRY[key]
    except KeyError:
        raise LookupError(f"no task type {key!r} (is its app installed?)") from None


@dataclass(frozen=True)
class ExperimentDefinition:
    """An experiment as declared in code (``<app>/experiments.py``, list EXPERIMENTS)."""

    slug: str
    task_type: str
    title: str
    description: str
    reward: Decimal
    contents_per_hit: int
    num_outputs_max: int
    variant: dict[str, Any] = field(default_factory=dict)
    min_output_consensus: int | None = None
    out_count_ratio: int = 1
    keywords: str = ""
    duration: int = 3600
    lifetime: int = 31 * 24 * 3600
    auto_approval_delay: int = 3 * 24 * 3600
    feedback_bonus: Decimal | None = Decimal("0.02")
    max_active_hits: int = 200
    max_total_hits: int = 100000
    # Built-in qualifications (name -> value) asked of MTurk workers outside the sandbox.
    qualifications: dict[str, int] = field(
        default_factory=lambda: {"num_approved": 1000, "perc_approved": 97}
    )
    requirements: dict[str, Any] = field(default_factory=dict)
    content_filter: dict[str, Any] = field(default_factory=dict)
    sentinels_per_assignment: int = 0
    has_tutorial: bool = False
    priority: int = 0
    frame_height: int = 800
    completed_id: str | None = None
    active: bool = True
    marketplace: str | None = None  # None: settings.CROWD_MARKETPLACE
    # Returns [(content, expected answer)]: test contents with known answers.
    sentinels: Callable[[], list[tuple[Model, Any]]] | None = None


def declared_experiments() -> list[tuple[str, ExperimentDefinition]]:
    """Return (app label, definition) for every EXPERIMENTS list in the installed apps."""
    import importlib

    found = []
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.experiments")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.experiments":
                raise
            continue
        found += [(config.label, definition) for definition in module.EXPERIMENTS]
    return found
