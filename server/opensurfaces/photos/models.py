from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from opensurfaces.core.models import TimestampedModel
from opensurfaces.crowd.models import ResultBase


class License(TimestampedModel):
    """The terms a photo was published under."""

    name = models.CharField(max_length=255, unique=True)
    url = models.URLField(blank=True)
    creative_commons = models.BooleanField(default=False)
    cc_attribution = models.BooleanField(default=True)
    cc_noncommercial = models.BooleanField(default=False)
    cc_no_deriv = models.BooleanField(default=False)
    cc_share_alike = models.BooleanField(default=False)
    # May derived results (crops, labels) be published freely?
    publishable = models.BooleanField(default=False)
    # How open the license is; kept in sync by save() so lists can order by it.
    publishable_score = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-publishable_score", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.publishable_score = self.compute_publishable_score()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "publishable_score"}
        super().save(*args, **kwargs)

    def compute_publishable_score(self) -> int:
        return publishable_score(
            creative_commons=self.creative_commons,
            cc_attribution=self.cc_attribution,
            cc_noncommercial=self.cc_noncommercial,
            cc_no_deriv=self.cc_no_deriv,
            cc_share_alike=self.cc_share_alike,
        )


def publishable_score(
    *,
    creative_commons: bool,
    cc_attribution: bool,
    cc_noncommercial: bool,
    cc_no_deriv: bool,
    cc_share_alike: bool,
) -> int:
    """Return how freely a work may be reused (0 for non-Creative-Commons licenses).

    +1 without attribution, +2 if commercial use is allowed, +10 if derivatives are
    allowed, +2 without share-alike.
    """
    if not creative_commons:
        return 0
    return (
        (0 if cc_attribution else 1)
        + (0 if cc_noncommercial else 2)
        + (0 if cc_no_deriv else 10)
        + (0 if cc_share_alike else 2)
    )


class SceneCategory(TimestampedModel):
    """What kind of room or place a photo shows (kitchen, bedroom, ...)."""

    name = models.CharField(max_length=127, unique=True)
    slug = models.SlugField(max_length=127, unique=True)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "scene categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("photos:browse", kwargs={"scene": self.slug, "filter_key": "all"})


class FlickrUser(TimestampedModel):
    """A photographer on Flickr, for attribution."""

    username = models.CharField(max_length=127, unique=True)
    display_name = models.CharField(max_length=255, blank=True)
    sub_name = models.CharField(max_length=255, blank=True)
    given_name = models.CharField(max_length=255, blank=True)
    family_name = models.CharField(max_length=255, blank=True)
    website_name = models.CharField(max_length=1023, blank=True)
    website_url = models.URLField(max_length=1023, blank=True)
    blacklisted = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.display_name or self.username


class PhotoLightStack(TimestampedModel):
    """Photos of one scene from one viewpoint under different lighting."""

    slug = models.SlugField(max_length=255, unique=True)

    def __str__(self) -> str:
        return self.slug


class Photo(TimestampedModel):
    """A photograph in the catalog. The image itself lives in media storage."""

    class Method(models.TextChoices):
        ADMIN = "A", "admin"
        CROWD_MODEL = "C", "crowd model"
        MAJORITY = "M", "majority vote"
        QUALIFICATION = "Q", "qualification"

    # The clean subset used by the dataset and most crowd experiments.
    DEFAULT_FILTERS = (
        Q(synthetic=False)
        & ~Q(inappropriate=True)
        & ~Q(rotated=True)
        & ~Q(stylized=True)
        & ~Q(nonperspective=True)
        & Q(scene_category_correct=True, scene_category_correct_score__isnull=False)
        & Q(license__creative_commons=True)
    )

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="photos",
        help_text="Who added the photo.",
    )
    image_orig = models.ImageField(upload_to="photos/orig", max_length=255)
    # Size as displayed (after EXIF orientation); pixel areas derive from it.
    orig_width = models.PositiveIntegerField(editable=False)
    orig_height = models.PositiveIntegerField(editable=False)
    aspect_ratio = models.FloatField(editable=False, help_text="width / height")
    md5 = models.CharField(max_length=32, unique=True, editable=False)
    description = models.TextField(blank=True)

    # Camera
    exif = models.JSONField(default=dict, blank=True)
    fov = models.FloatField(
        null=True, blank=True, help_text="Field of view in degrees, longer side"
    )
    focal_y = models.FloatField(
        null=True, blank=True, help_text="Focal length in units of the image height"
    )

    # Provenance
    license = models.ForeignKey(License, on_delete=models.PROTECT, related_name="photos")
    attribution_name = models.CharField(max_length=255, blank=True)
    attribution_url = models.URLField(max_length=1023, blank=True)
    flickr_user = models.ForeignKey(
        FlickrUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    flickr_id = models.CharField(max_length=64, blank=True)
    light_stack = models.ForeignKey(
        PhotoLightStack, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    synthetic = models.BooleanField(default=False, help_text="Rendered, not photographed")

    # Admin flags (unknown until someone looks)
    inappropriate = models.BooleanField(null=True, blank=True)
    nonperspective = models.BooleanField(null=True, blank=True)
    stylized = models.BooleanField(null=True, blank=True)
    rotated = models.BooleanField(null=True, blank=True)

    # Scene category and the crowd's verdict on it
    scene_category = models.ForeignKey(
        SceneCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    scene_category_correct = models.BooleanField(null=True, blank=True)
    scene_category_correct_score = models.FloatField(null=True, blank=True)
    scene_category_correct_method = models.CharField(
        max_length=1, choices=Method.choices, blank=True
    )
    whitebalanced = models.BooleanField(null=True, blank=True)
    whitebalanced_score = models.FloatField(null=True, blank=True)

    # Geometry found in the photo
    vanishing_lines = models.JSONField(null=True, blank=True)
    vanishing_points = models.JSONField(null=True, blank=True)
    vanishing_length = models.FloatField(null=True, blank=True)
    in_iiw_dataset = models.BooleanField(default=False)
    in_iiw_dense_dataset = models.BooleanField(default=False)

    # Denormalised counters, maintained by tasks
    num_shapes = models.PositiveIntegerField(default=0)
    num_vertices = models.PositiveIntegerField(default=0)
    num_intrinsic_comparisons = models.PositiveIntegerField(default=0)
    num_intrinsic_points = models.PositiveIntegerField(default=0)
    median_intrinsic_error = models.FloatField(null=True, blank=True)

    # Names of the generated thumbnails in media storage, by size key (see imaging.THUMBNAILS).
    thumbnails = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # photos:browse keyset orderings (photos.selectors.FILTERS)
            models.Index(fields=["-num_vertices", "-id"], name="photo_vertices_id"),
            models.Index(fields=["scene_category", "-id"], name="photo_scene_id"),
            models.Index(
                fields=["scene_category", "-num_vertices", "-id"], name="photo_scene_vert_id"
            ),
            models.Index(
                fields=["-vanishing_length", "-id"],
                name="photo_vanishing_id",
                condition=Q(vanishing_length__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(orig_width__gt=0) & Q(orig_height__gt=0), name="photo_positive_size"
            ),
        ]

    def __str__(self) -> str:
        return f"Photo {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("photos:detail", kwargs={"pk": self.pk})

    def thumbnail_url(self, size: str) -> str:
        """Return the URL of a generated thumbnail, or of the original while it is missing."""
        name = self.thumbnails.get(size)
        storage = self.image_orig.storage
        return storage.url(name) if name else self.image_orig.url

    @property
    def attribution(self) -> str:
        if self.attribution_name:
            return self.attribution_name
        if self.flickr_user_id:
            return str(self.flickr_user)
        return ""


class GroundTruthRegion(TimestampedModel):
    """A known surface in a synthetic photo: its polygon and its material.

    Synthetic scenes are rendered from these regions, so the crowd's answers on them
    can be measured against the truth.
    """

    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="ground_truth")
    # Polygon vertices [x1, y1, x2, y2, ...], normalised to the image (0..1).
    vertices = models.JSONField()
    material = models.CharField(max_length=127)
    # Painting order: later regions cover earlier ones.
    z_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["photo", "z_order"]
        constraints = [
            models.UniqueConstraint(fields=["photo", "z_order"], name="groundtruth_unique_order"),
        ]

    def __str__(self) -> str:
        return f"{self.material} in photo {self.photo_id}"


class PhotoSceneQualityLabel(ResultBase):
    """A worker's vote on whether a photo shows its scene category (quality_scene)."""

    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="scene_qualities")
    correct = models.BooleanField()

    class Meta:
        ordering = ["-id"]
        constraints = [
            # One vote per photo per assignment: a retried submission adds nothing.
            models.UniqueConstraint(
                fields=["assignment", "photo"],
                condition=Q(assignment__isnull=False),
                name="scene_quality_once",
            ),
        ]

    def __str__(self) -> str:
        return f"photo {self.photo_id} {'is' if self.correct else 'is not'} its scene"
