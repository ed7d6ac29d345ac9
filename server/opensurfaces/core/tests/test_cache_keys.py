from opensurfaces.core import cache as cache_keys


def test_keys_are_versioned():
    assert cache_keys.photo_detail_key(7) == f"v{cache_keys.KEY_VERSION}:photo-detail:7"


def test_long_or_unsafe_keys_are_digested_for_memcached():
    key = cache_keys.photo_grid_key(scene="x" * 300, filter_key="all", cursor="c", generation=1)
    assert len(key) < 100 and key.startswith(f"v{cache_keys.KEY_VERSION}:photo-grid:")
    spaced = cache_keys.photo_grid_key(scene="a b", filter_key="all", cursor="", generation=1)
    assert " " not in spaced


def test_distinct_lists_get_distinct_keys():
    keys = {
        cache_keys.photo_grid_key(scene=s, filter_key=f, cursor=c, generation=g)
        for s in ("all", "kitchen")
        for f in ("all", "wb")
        for c in ("", "abc")
        for g in (1, 2)
    }
    assert len(keys) == 16


def test_generation_survives_until_changed():
    first = cache_keys.catalog_generation()
    assert cache_keys.catalog_generation() == first
