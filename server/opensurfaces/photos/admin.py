from django.contrib import admin
from django.db import models
from django.utils.html import format_html

from opensurfaces.photos.models import (
    FlickrUser,
    GroundTruthRegion,
    License,
    Photo,
    PhotoLightStack,
    PhotoSceneQualityLabel,
    SceneCategory,
)

# Links typed in the admin without a scheme are https.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(License)
class LicenseAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["name", "creative_commons", "publishable", "publishable_score"]
    list_filter = ["creative_commons", "publishable"]
    search_fields = ["name"]


@admin.register(SceneCategory)
class SceneCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(FlickrUser)
class FlickrUserAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["username", "display_name", "blacklisted"]
    list_filter = ["blacklisted"]
    search_fields = ["username", "display_name"]


@admin.register(PhotoLightStack)
class PhotoLightStackAdmin(admin.ModelAdmin):
    search_fields = ["slug"]


class GroundTruthRegionInline(admin.TabularInline):
    model = GroundTruthRegion
    extra = 0


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = [
        "id",
        "thumbnail",
        "scene_category",
        "license",
        "orig_width",
        "orig_height",
        "synthetic",
        "inappropriate",
        "scene_category_correct",
        "num_shapes",
        "created_at",
    ]
    list_filter = [
        "synthetic",
        "inappropriate",
        "rotated",
        "stylized",
        "nonperspective",
        "scene_category_correct",
        "whitebalanced",
        "scene_category",
        "license",
    ]
    list_select_related = ["scene_category", "license"]
    search_fields = ["=id", "md5", "description", "attribution_name"]
    readonly_fields = [
        "thumbnail",
        "md5",
        "orig_width",
        "orig_height",
        "aspect_ratio",
        "thumbnails",
        "created_at",
        "updated_at",
    ]
    raw_id_fields = ["user", "flickr_user", "light_stack"]
    inlines = [GroundTruthRegionInline]

    @admin.display(description="image")
    def thumbnail(self, photo: Photo) -> str:
        return format_html(
            '<img src="{}" width="80" height="80" alt="">', photo.thumbnail_url("square300")
        )

    def has_add_permission(self, request) -> bool:
        # Photos enter through add_photos, which validates and deduplicates them.
        return False


@admin.register(GroundTruthRegion)
class GroundTruthRegionAdmin(admin.ModelAdmin):
    list_display = ["photo", "material", "z_order"]
    list_filter = ["material"]
    raw_id_fields = ["photo"]


@admin.register(PhotoSceneQualityLabel)
class PhotoSceneQualityLabelAdmin(admin.ModelAdmin):
    list_display = ["photo", "correct", "worker", "invalid", "quality_method", "created_at"]
    list_filter = ["correct", "invalid"]
    raw_id_fields = ["photo", "assignment", "worker"]
    actions = ["mark_invalid"]

    @admin.action(description="Mark invalid (the photo's verdict is recomputed without them)")
    def mark_invalid(self, request, queryset) -> None:
        from opensurfaces.crowd.services.results import result_invalidate

        for label in queryset.select_related("assignment__hit__experiment"):
            result_invalidate(result=label)
        self.message_user(request, f"{queryset.count()} votes marked invalid.")
