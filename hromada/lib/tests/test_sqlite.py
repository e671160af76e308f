import pytest
from hypothesis import given
from hypothesis import strategies as st

from hromada.lib.sqlite import unicode_like

LETTERS = st.text(alphabet="абвгґдеєжзиіїйАБВГҐДЕЄЖЗИІЇЙabcXYZ %_\\'", max_size=12)


def escape(text: str) -> str:
    """As Django escapes a value for LIKE on SQLite."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@given(haystack=LETTERS, needle=LETTERS)
def test_contains_folds_case_for_every_alphabet_and_honours_escapes(haystack, needle):
    expected = needle.lower() in haystack.lower()
    assert unicode_like(f"%{escape(needle)}%", haystack, "\\") == int(expected)


@given(haystack=LETTERS, needle=LETTERS)
def test_startswith_matches_only_at_the_start(haystack, needle):
    assert unicode_like(f"{escape(needle)}%", haystack, "\\") == int(
        haystack.lower().startswith(needle.lower())
    )


def test_null_is_unknown_as_in_sql():
    assert unicode_like(None, "x") is None and unicode_like("x", None) is None


@pytest.mark.django_db
def test_icontains_finds_cyrillic_in_any_case_on_every_database():
    from hromada.aid.models import Item

    assert set(Item.objects.filter(name_uk__icontains="ДИТЯЧ").values_list("code", flat=True)) >= {
        "baby-food",
        "baby-formula",
        "baby-diapers",
    }
    assert Item.objects.filter(name_uk__istartswith="ІНСУЛ").get().code == "insulin"
