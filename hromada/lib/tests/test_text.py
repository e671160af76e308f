from hromada.lib.text import collation_key


def test_ukrainian_words_sort_in_alphabet_order_not_code_point_order():
    words = [
        "Інсулін",
        "Сухі пайки",
        "Сіль",
        "Вода",
        "Ґудзики",
        "Гречка",
        "Їжа",
        "Єдність",
        "Антисептик",
    ]
    assert sorted(words, key=collation_key) == [
        "Антисептик",
        "Вода",
        "Гречка",
        "Ґудзики",
        "Єдність",
        "Інсулін",
        "Їжа",
        "Сіль",
        "Сухі пайки",
    ]


def test_case_and_apostrophes_do_not_change_the_order():
    assert (
        collation_key("Пам'ять")
        == collation_key("памʼять".replace("ʼ", ""))
        == collation_key("ПАМ’ЯТЬ")
    )
