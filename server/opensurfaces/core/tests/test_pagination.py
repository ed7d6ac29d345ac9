import pytest

from opensurfaces.core.pagination import InvalidCursor, decode_cursor, encode_cursor


def test_cursor_round_trip():
    assert decode_cursor(encode_cursor([3, 1.25, -7]), 3) == [3, 1.25, -7]


@pytest.mark.parametrize(
    ("cursor", "length"),
    [
        ("!!!", 1),
        (encode_cursor([1, 2]), 1),
        (encode_cursor(["text"]), 1),
        (encode_cursor([True]), 1),
        (encode_cursor({"a": 1}), 1),
        ("A" * 201, 1),
    ],
)
def test_malformed_cursors_are_refused(cursor, length):
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, length)
