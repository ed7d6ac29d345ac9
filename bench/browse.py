"""Benchmark: browse and photo pages against a bare view, on a large catalog.

    venv/bin/python bench/browse.py [--photos 20000] [--requests 40]

Creates a throwaway database (SQLite in a temporary folder, or the PostgreSQL database
named by DATABASE_URL, in a test database), fills it with photo rows, then times each
page through Django's full request path (middleware, templates, cache). Figures are
medians in milliseconds and ratios to the bare /healthz view measured in the same run.
"""

from __future__ import annotations

import argparse

from common import django_with_test_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    django_with_test_database(lambda: run(args))


def run(args) -> None:
    import re
    import statistics
    import time

    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from opensurfaces.photos.models import License, Photo

    license = License.objects.get(name="CC BY 2.0")
    batch = [
        Photo(
            image_orig=f"photos/orig/bench-{i}.jpg",
            orig_width=640,
            orig_height=480,
            aspect_ratio=640 / 480,
            md5=f"{i:032x}",
            license=license,
            num_vertices=i % 97,
            scene_category_correct=True,
            scene_category_correct_score=1.0,
        )
        for i in range(args.photos)
    ]
    Photo.objects.bulk_create(batch, batch_size=2000)
    client = Client()
    per_page = 30
    deep_page = min(300, args.photos // per_page - 1)

    url, deep_url = "/photos/", None
    for _ in range(deep_page):
        html = client.get(url).content.decode()
        url = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    deep_url = url
    photo_url = Photo.objects.order_by("id").first().get_absolute_url()

    from urllib.parse import parse_qs, urlparse

    from opensurfaces.core import cache as cache_keys

    def drop_grid(path: str) -> None:
        """Forget only the photo list of ``path``: counts stay cached, as between changes."""
        cursor = parse_qs(urlparse(path).query).get("after", [""])[0]
        generation = cache_keys.catalog_generation()
        cache.delete(
            cache_keys.photo_grid_key(
                scene="all", filter_key="all", cursor=cursor, generation=generation
            )
        )

    def timed(path: str, *, cold: bool, grid_only: bool = False) -> float:
        samples = []
        client.get(path)
        for _ in range(args.requests):
            if grid_only:
                drop_grid(path)
            elif cold:
                cache.clear()
            start = time.perf_counter()
            response = client.get(path)
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        return statistics.median(samples)

    def timed_sql(sql: str) -> float:
        samples = []
        with connection.cursor() as cursor:
            for _ in range(args.requests):
                start = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                samples.append((time.perf_counter() - start) * 1000)
        return statistics.median(samples)

    baseline = timed("/healthz", cold=False)
    rows = [
        ("bare view /healthz (baseline)", baseline),
        ("browse page 1, nothing cached", timed("/photos/", cold=True)),
        (f"browse page {deep_page + 1}, nothing cached", timed(deep_url, cold=True)),
        ("browse page 1, list not cached", timed("/photos/", cold=False, grid_only=True)),
        (
            f"browse page {deep_page + 1}, list not cached",
            timed(deep_url, cold=False, grid_only=True),
        ),
        ("browse page 1, warm cache", timed("/photos/", cold=False)),
        (f"browse page {deep_page + 1}, warm cache", timed(deep_url, cold=False)),
        ("clean filter page 1, nothing cached", timed("/photos/scene/all/clean/", cold=True)),
        ("photo page, not cached", timed(photo_url, cold=True)),
        ("photo page, warm cache", timed(photo_url, cold=False)),
        ("home page, nothing cached", timed("/", cold=True)),
    ]
    table = Photo._meta.db_table
    keyset_sql = (
        f"SELECT id FROM {table} WHERE id < {args.photos - deep_page * per_page} "
        f"ORDER BY id DESC LIMIT {per_page + 1}"
    )
    offset_sql = (
        f"SELECT id FROM {table} ORDER BY id DESC LIMIT {per_page} OFFSET {deep_page * per_page}"
    )
    sql_rows = [
        (f"SQL keyset page {deep_page + 1}", timed_sql(keyset_sql)),
        (f"SQL offset page {deep_page + 1} (not used; for comparison)", timed_sql(offset_sql)),
    ]
    vendor = connection.vendor
    print(f"{args.photos} photos on {vendor}, {args.requests} requests per case (median)")
    print(f"{'case':52} {'ms':>8} {'x baseline':>11}")
    for name, ms in rows:
        print(f"{name:52} {ms:8.2f} {ms / baseline:11.1f}")
    for name, ms in sql_rows:
        print(f"{name:52} {ms:8.3f}")


if __name__ == "__main__":
    main()
