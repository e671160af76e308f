"""Figures typed as words: the qualifier and the values are read, the words are kept."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hromada.reports import metrics
from hromada.reports.figures import FigureError, parse_breakdown, parse_figure

# words, qualifier, low, best, high
PHRASINGS = [
    ("28", "exact", 28, 28, 28),
    ("at least 240", "at_least", 240, 240, None),
    ("no fewer than 102", "at_least", 102, 102, None),
    ("~200", "about", None, 200, None),
    ("about 200", "about", None, 200, None),
    ("nearly 200", "about", None, 200, None),
    ("some 200 civilians", "about", None, 200, None),
    ("over 500,000", "more_than", 500_000, 500_000, None),
    ("more than 4,300", "more_than", 4_300, 4_300, None),
    ("500,000+", "at_least", 500_000, 500_000, None),
    ("up to 300", "at_most", None, None, 300),
    ("fewer than 50", "at_most", None, None, 50),
    ("between 20 and 30", "range", 20, None, 30),
    ("20–30", "range", 20, None, 30),
    ("20-30 thousand", "range", 20_000, None, 30_000),
    ("dozens", "vague", 20, None, 99),
    ("hundreds of thousands", "vague", 200_000, None, 999_999),
    ("4.3 thousand", "exact", 4_300, 4_300, 4_300),
    ("1.2 million", "exact", 1_200_000, 1_200_000, 1_200_000),
    ("three people", "exact", 3, 3, 3),
    ("щонайменше 240", "at_least", 240, 240, None),
    ("не менше 102", "at_least", 102, 102, None),
    ("близько 200", "about", None, 200, None),
    ("майже 200", "about", None, 200, None),
    ("понад 500 тисяч", "more_than", 500_000, 500_000, None),
    ("понад 4,3 тис.", "more_than", 4_300, 4_300, None),
    ("більше 500 000", "more_than", 500_000, 500_000, None),
    ("не більше 300", "at_most", None, None, 300),
    ("до 300", "at_most", None, None, 300),
    ("від 20 до 30", "range", 20, None, 30),
    ("десятки", "vague", 20, None, 99),
    ("кілька десятків", "vague", 20, None, 99),
    ("сотні тисяч", "vague", 200_000, None, 999_999),
    ("1,2 млн", "exact", 1_200_000, 1_200_000, 1_200_000),
    ("двоє", "exact", 2, 2, 2),
]


@pytest.mark.parametrize(("words", "qualifier", "low", "best", "high"), PHRASINGS)
def test_a_figure_written_in_words_is_read_with_its_qualifier(words, qualifier, low, best, high):
    figure = parse_figure(words)
    assert (figure.qualifier, figure.low, figure.best, figure.high) == (qualifier, low, best, high)
    assert figure.words == words  # the source's words are kept as they were


def test_the_phrasings_cover_english_and_ukrainian():
    ukrainian = [w for w, *_ in PHRASINGS if any("а" <= ch <= "я" or ch in "іїєґ" for ch in w)]
    assert len(PHRASINGS) >= 20 and len(ukrainian) >= 10


def test_a_qualifier_is_read_only_right_before_the_figure():
    # "under 18" is about the children's age, not the figure.
    figure = parse_figure("7 children under 18")
    assert (figure.qualifier, figure.best) == ("exact", 7)


@pytest.mark.parametrize("words", ["", "   ", "many people", "нема даних"])
def test_words_without_a_figure_are_refused(words):
    with pytest.raises(FigureError):
        parse_figure(words)


def test_a_breakdown_records_the_whole_and_its_parts():
    whole, parts = parse_breakdown("240 casualties including 64 dead", metrics.CASUALTIES)
    assert (whole.qualifier, whole.best) == ("exact", 240)
    assert [(p.metric, p.figure.qualifier, p.figure.best) for p in parts] == [
        (metrics.KILLED, "exact", 64)
    ]


def test_an_at_least_whole_makes_its_bare_parts_at_least_too():
    whole, parts = parse_breakdown(
        "at least 240 casualties including 64 killed", metrics.CASUALTIES
    )
    assert (whole.qualifier, whole.low) == ("at_least", 240)
    assert (parts[0].metric, parts[0].figure.qualifier, parts[0].figure.low) == (
        metrics.KILLED,
        "at_least",
        64,
    )


def test_a_ukrainian_breakdown_of_killed_and_injured():
    whole, parts = parse_breakdown(
        "406 постраждалих, з них 102 загиблих і 304 поранених", metrics.CASUALTIES
    )
    assert whole.best == 406
    assert [(p.metric, p.figure.best) for p in parts] == [
        (metrics.KILLED, 102),
        (metrics.INJURED, 304),
    ]


@pytest.mark.parametrize(
    ("words", "metric"),
    [
        ("102 killed, including 7 children", metrics.KILLED),
        ("близько 200, серед них 16 дітей", metrics.KILLED),
        ("304 injured, of whom 20 children", metrics.INJURED),
    ],
)
def test_children_in_a_breakdown_are_a_part_of_the_same_count(words, metric):
    _whole, parts = parse_breakdown(words, metric)
    expected = metrics.CHILDREN_KILLED if metric == metrics.KILLED else metrics.CHILDREN_INJURED
    assert [p.metric for p in parts] == [expected]


def test_a_child_in_words_is_one():
    _whole, parts = parse_breakdown("three people, including a child", metrics.KILLED)
    assert [(p.metric, p.figure.best) for p in parts] == [(metrics.CHILDREN_KILLED, 1)]


@given(st.integers(min_value=0, max_value=10**9))
def test_any_whole_number_reads_back_exactly_however_it_is_grouped(n):
    for text in (str(n), f"{n:,}", f"{n:,}".replace(",", " "), f"{n:,}".replace(",", "\u00a0")):
        figure = parse_figure(text)
        assert (figure.qualifier, figure.low, figure.best, figure.high) == ("exact", n, n, n)


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6))
def test_a_range_is_always_low_to_high(a, b):
    figure = parse_figure(f"between {a} and {b}")
    assert (figure.low, figure.high) == (min(a, b), max(a, b))
