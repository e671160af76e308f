"""A made-up population with Ukrainian names as they are in life, and the ways people write them.

Used by the demo and by ``bench/tracing.py``. The names are real first names and real
surnames, then rarer surnames made as Ukrainian surnames are made (a stem and a suffix:
-енко, -ук, -чук, -ський ...), drawn with the skew of life: the commonest surname, Мельник
or Шевченко, is borne by about 0.3 % of Ukrainians (107-174 thousand of 42 million), the ten
commonest by about 2.5 %, and there are hundreds of thousands of surnames (see
``surnames``). Given names are far fewer: the commonest, Олександр, is about one man in ten.
So namesakes are many, as in life (at a million people, about 80 Oleksandr Shevchenkos and
a handful Oleksandr Melnyks of one birth year), yet most people can be told apart by name,
birth year and place. Every draw comes from a ``random.Random`` the caller seeds: the same
seed gives the same people.

``variant`` writes one person the way an inquirer, a clerk or a foreign registry would:
another script or transliteration, a Russian or western form of the given name, a
diminutive, a typo, the order swapped, the patronymic left out, the other gender's surname.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import lru_cache

from hromada.tracing.names import equivalents
from hromada.tracing.names.translit import transliterate

# fmt: off
COMMON_SURNAMES = """
Шевченко Коваленко Бондаренко Ткаченко Кравченко Олійник Шевчук Коваль Поліщук Бондар
Ткачук Мельник Марченко Савченко Руденко Лисенко Петренко Кравчук Клименко Павленко
Іваненко Мороз Савчук Левченко Харченко Карпенко Гончаренко Мельниченко Сидоренко Шаповал
Литвиненко Кузьменко Ковальчук Приходько Романенко Гаврилюк Степаненко Федоренко Юрченко
Бойко Козак Захарченко Пономаренко Власенко Кириленко Костенко Білик Гнатюк Остапенко
Тимошенко Демченко Макаренко Панченко Яковенко Антоненко Василенко Дмитренко Науменко
Пилипенко Лук'яненко Семенко Ярошенко Гуменюк Дячук Вакуленко Гриценко Кушнір Козлов
Іванов Петров Смирнов Попов Соколов Кузнецов Волков Васильєв Новиков Зайцев
Ковальський Вишневський Чорновол Стельмах Данилюк Середа Зінченко Тарасенко Щербак Яременко
"""
STEMS = """
Бабич Багр Балаб Бараб Бережн Білоус Борис Бурл Вакар Верб Вовч Галуш Гайд Гармаш Гордій
Грищ Гуцал Дем'ян Дорош Дудн Жук Забол Залізн Заруб Зелен Іщ Калин Кар Кобз Козач Колод
Корн Кос Кот Кривон Крук Кулик Лаврин Лев Лозов Луц Ляш Мазур Майстр Марущ Мартин Миц Мих
Мовч Нагорн Нестер Німц Оліфір Опанас Осадч Павлюч Паламарч Панас Пасічн Перепел Пилип
Погорел Половинк Посп Прокоп Пташн Радч Рибак Рог Рудик Сав Саміл Свирид Сем Сердюк Сич
Скрипн Сліс Сорок Стасюк Степан Стець Сухор Тесл Тимч Тищ Тур Федорч Фесенк Хом Цимбал
Чабан Черниш Чорн Чуприн Шаш Швец Шкурат Шульг Щерб Юрк Явор Ярем Ясин
"""
ENDINGS = ["енко", "ук", "юк", "чук", "ак", "ич", "ець", "ан", "ський", "ишин", "ів", "ій"]
# fmt: on


def _parse_names() -> tuple[list[tuple[str, str, list[str]]], list[tuple[str, str, list[str]]]]:
    """(Ukrainian, Russian, [Latin forms and diminutives]) per given name, by sex."""
    male: list[tuple[str, str, list[str]]] = []
    female: list[tuple[str, str, list[str]]] = []
    for canonical, sex, forms in equivalents.groups():
        russian = canonical
        if len(forms) > 1 and any("\u0400" <= c <= "\u04ff" for c in forms[1]):
            russian = forms[1]
        others = [f for f in forms[1:] if f != russian]
        (male if sex == "male" else female).append((canonical, russian, others))
    return male, female


MALE, FEMALE = _parse_names()


def _zipf(n: int, s: float = 1.0) -> list[float]:
    return [1 / (rank**s) for rank in range(1, n + 1)]


@lru_cache(maxsize=1)
def legacy_surnames() -> tuple[list[str], list[float]]:
    """The first generator's surnames: 1,600, Zipf 0.9 (Шевченко one person in eleven, 30
    times life's share). Kept so that the benchmark can show what it did to the figures."""
    common = COMMON_SURNAMES.split()
    rare = [stem + ending for stem in STEMS.split() for ending in ENDINGS]
    rng = random.Random(19)  # noqa: S311
    rng.shuffle(rare)
    names = list(dict.fromkeys(common + rare))
    return names, _zipf(len(names), 0.9)


# Syllables of made-up stems for the long tail of rare surnames (a stem and a suffix, as
# Ukrainian surnames are made): Бурчук, Галиненко, Дорошишин ...
# fmt: off
ONSETS = ["Б", "В", "Г", "Д", "Ж", "З", "К", "Л", "М", "Н", "П", "Р", "С", "Т", "Ф", "Х", "Ц",
          "Ч", "Ш", "Бр", "Гр", "Др", "Кр", "Пр", "Тр", "Бл", "Гл", "Кл", "Пл", "Сл", "Ст", "Св",
          "Ск", "Сп", "Шк", "Шт", "Вл", "Хм", "Дз"]
VOWELS_STEM = ["а", "о", "у", "е", "и", "і"]
CODAS = ["б", "в", "г", "д", "ж", "з", "к", "л", "м", "н", "п", "р", "с", "т", "х", "ц", "ч",
         "ш", "нч", "рк", "лк", "рн", "ль", "нь", "ст"]
# fmt: on
SURNAME_RANKS = 300_000
SURNAME_OFFSET = 40


@lru_cache(maxsize=1)
def surnames() -> tuple[list[str], list[float]]:
    """About 300,000 distinct surnames with life's skew: rank r weighs 1 / (r + 40). The
    commonest then has 0.27 % of people, the ten commonest 2.5 %, the hundred commonest 14 %,
    as in Ukraine (Мельник 0.26-0.41 %, the top ten about 2.5-2.9 %). Real surnames take the
    first ranks, then real stems with real suffixes, then made-up stems with real suffixes."""
    common = COMMON_SURNAMES.split()
    real = [stem + ending for stem in STEMS.split() for ending in ENDINGS]
    rng = random.Random(19)  # noqa: S311
    rng.shuffle(real)
    simple = [o + v + c for o in ONSETS for v in VOWELS_STEM for c in CODAS]
    rng.shuffle(simple)
    names = list(dict.fromkeys(common + real))
    seen = set(names)
    while len(names) < SURNAME_RANKS:
        # Most stems of one syllable (Бур-), the rest of two (Гали-н-, Дороб-).
        stem = rng.choice(simple)
        if rng.random() < 0.7:
            stem += rng.choice(VOWELS_STEM) + rng.choice(CODAS)
        name = _join(stem.capitalize(), rng.choice(ENDINGS))
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names, [1 / (rank + SURNAME_OFFSET) for rank in range(1, len(names) + 1)]


def _join(stem: str, ending: str) -> str:
    """A stem and a suffix, without a vowel clash (Бурна + енко is Бурненко)."""
    if stem[-1] in "аоиі" and ending[0] in "аеєиіїоуюя":
        stem = stem[:-1]
    if stem[-1] == "ь" and ending[0] not in "аеєиіїоуюя":
        stem = stem[:-1]
    return stem + ending


def feminine(surname: str) -> str:
    """The feminine form of a surname (most Ukrainian surnames do not change)."""
    pairs = [("ський", "ська"), ("цький", "цька"), ("ов", "ова"), ("ев", "ева"), ("єв", "єва"),
             ("ин", "іна"), ("ій", "ія")]  # fmt: skip
    for masculine, female in pairs:
        if surname.endswith(masculine) and not surname.endswith("ишин"):
            return surname[: -len(masculine)] + female
    return surname


def masculine(surname: str) -> str:
    pairs = [("ська", "ський"), ("цька", "цький"), ("ова", "ов"), ("ева", "ев"), ("єва", "єв"),
             ("іна", "ин")]  # fmt: skip
    for masculine_end, female in pairs:
        if surname.endswith(female):
            return surname[: -len(female)] + masculine_end
    return surname


def patronymic(father: str, sex: str) -> str:
    """Ukrainian patronymic from the father's given name."""
    male = sex == "male"
    if father == "Ілля":
        return "Ілліч" if male else "Іллівна"
    if father.endswith("й"):
        return father + "ович" if male else father[:-1] + "ївна"
    if father.endswith("а"):
        return father[:-1] + ("айович" if male else "аївна")
    if father.endswith("о"):
        return father[:-1] + ("ович" if male else "івна")
    if father.endswith("ь"):
        return father[:-1] + ("ьович" if male else "івна")
    return father + ("ович" if male else "івна")


def russian_letters(text: str) -> str:
    """A Ukrainian word as a Russian-speaking clerk writes it."""
    text = text.replace("ський", "ский").replace("цький", "цкий").replace("'", "")
    table = str.maketrans({"і": "и", "ї": "и", "є": "е", "ґ": "г", "І": "И", "Ї": "И", "Є": "Е"})
    return text.translate(table)


def russian_patronymic(text: str) -> str:
    if text.endswith("ійович"):
        return russian_letters(text[:-6]) + "еевич"
    if text.endswith("іївна"):
        return russian_letters(text[:-5]) + "еевна"
    if text.endswith("івна"):
        return russian_letters(text[:-4]) + "овна"
    return russian_letters(text)


@dataclass
class Person:
    given: str
    family: str
    patronymic: str
    sex: str
    birth_year: int
    place: str
    given_index: int
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def forms(self) -> tuple[str, str, list[str]]:
        return (MALE if self.sex == "male" else FEMALE)[self.given_index]


PLACES = [
    "Охтирка",
    "Суми",
    "Харків",
    "Київ",
    "Полтава",
    "Тростянець",
    "Лебедин",
    "Конотоп",
    "Ромни",
    "Шостка",
    "Чернігів",
    "Ізюм",
    "Куп'янськ",
    "Лозова",
    "Богодухів",
    "Краснопілля",
    "Велика",
    "Писарівка",
    "Зіньків",
    "Гадяч",
    "Миргород",
    "Кременчук",
    "Дніпро",
    "Запоріжжя",
    "Маріуполь",
    "Бердянськ",
    "Херсон",
    "Миколаїв",
    "Одеса",
    "Буча",
    "Ірпінь",
    "Бородянка",
    "Житомир",
]


GIVEN_SKEW = 0.6  # Олександр about one man in ten, Олена or Тетяна about one woman in eleven


def population(n: int, seed: int = 2022, *, legacy: bool = False) -> list[Person]:
    """``n`` people, the same for the same seed. Fast enough for a million (about 10 s).
    ``legacy``: the first generator's skew (far too few surnames; see ``legacy_surnames``)."""
    rng = random.Random(seed)  # noqa: S311
    sexes = ["male", "female"]
    names, sweights = legacy_surnames() if legacy else surnames()
    skew = 0.8 if legacy else GIVEN_SKEW
    zm, zf, zfather = _zipf(len(MALE), skew), _zipf(len(FEMALE), skew), _zipf(len(MALE), skew)
    sex_draw = rng.choices(sexes, k=n)
    male_draw = rng.choices(range(len(MALE)), weights=zm, k=n)
    female_draw = rng.choices(range(len(FEMALE)), weights=zf, k=n)
    family_draw = rng.choices(names, weights=sweights, k=n)
    father_draw = rng.choices(range(len(MALE)), weights=zfather, k=n)
    years = [rng.randint(1935, 2021) for _ in range(n)]
    places = rng.choices(PLACES, k=n)
    people = []
    for i in range(n):
        sex = sex_draw[i]
        index = male_draw[i] if sex == "male" else female_draw[i]
        table = MALE if sex == "male" else FEMALE
        family = family_draw[i] if sex == "male" else feminine(family_draw[i])
        people.append(
            Person(
                given=table[index][0],
                family=family,
                patronymic=patronymic(MALE[father_draw[i]][0], sex),
                sex=sex,
                birth_year=years[i],
                place=places[i],
                given_index=index,
            )
        )
    return people


# How people write a name ----------------------------------------------------------------

SCRIPTS = ["kmu2010", "ru_passport", "bgn_pcgn_ru", "iso9", "french", "german", "polish"]
LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"
CYRILLIC_LETTERS = "абвгдеєжзиіїйклмнопрстуфхцчшщьюя"


def typo(word: str, rng: random.Random) -> str:
    """One slip of the hand: a letter changed, dropped, doubled or two swapped."""
    if len(word) < 4:
        return word
    letters = CYRILLIC_LETTERS if any("\u0400" <= c <= "\u04ff" for c in word) else LATIN_LETTERS
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["sub", "del", "ins", "swap"])
    if kind == "sub":
        return word[:i] + rng.choice(letters) + word[i + 1 :]
    if kind == "del":
        return word[:i] + word[i + 1 :]
    if kind == "ins":
        return word[:i] + rng.choice(letters) + word[i:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


@dataclass
class Variant:
    text: str
    birth_year: int | None
    kinds: list[str]
    place: str = ""  # as written in the query
    place_uk: str = ""  # the town it names, in Ukrainian


# The rates at which each kind of variation is applied to a query (stated in the bench).
RATES = {
    "script": {
        "uk": 0.15,
        "ru_cyrillic": 0.15,
        "kmu2010": 0.25,
        "ru_passport": 0.1,
        "bgn_pcgn_ru": 0.05,
        "iso9": 0.05,
        "french": 0.1,
        "german": 0.075,
        "polish": 0.075,
    },
    "western_given": 0.15,  # Alexander, Olga, Helen (when the script is Latin)
    "diminutive": 0.07,
    "typo": 0.2,
    "swap": 0.35,
    "patronymic": 0.4,  # patronymic present (else left out)
    "other_gender": 0.3,  # of women's surnames that change: the masculine form
    "year_exact": 0.7,
    "year_off_by_one": 0.15,  # else: no year given
    # Tracing forms ask where the person lived or was last seen; most inquirers answer.
    "place": 0.6,
    "place_elsewhere": 0.25,  # of the places given: another town than the record's
}
# The first benchmark's queries never named a place.
LEGACY_RATES = {**RATES, "place": 0.0, "place_elsewhere": 0.0}


def variant(p: Person, rng: random.Random, rates: dict = RATES) -> Variant:  # type: ignore[type-arg]
    kinds: list[str] = []
    _ukrainian, russian, others = p.forms
    script = rng.choices(list(rates["script"]), weights=list(rates["script"].values()))[0]
    kinds.append(script)
    given, family, patro = p.given, p.family, p.patronymic
    if p.sex == "female" and family != masculine(family) and rng.random() < rates["other_gender"]:
        family = masculine(family)
        kinds.append("other_gender")
    diminutives = [f for f in others if any("\u0400" <= c <= "\u04ff" for c in f)]
    latin_forms = [f for f in others if f.isascii() and f[:1].isupper()]
    use_russian = script in ("ru_cyrillic", "ru_passport", "bgn_pcgn_ru")
    if use_russian:
        given = russian
        family = russian_letters(family)
        patro = russian_patronymic(patro)
    if diminutives and rng.random() < rates["diminutive"]:
        given = rng.choice(diminutives)
        kinds.append("diminutive")
    parts_given = given
    if script in ("uk", "ru_cyrillic"):
        g, f, pt = parts_given, family, patro
    else:
        system = {"ru_passport": "ru_passport", "bgn_pcgn_ru": "bgn_pcgn_ru"}.get(script, script)
        g = transliterate(parts_given, system)
        f = transliterate(family, system)
        pt = transliterate(patro, system)
        if latin_forms and "diminutive" not in kinds and rng.random() < rates["western_given"]:
            g = rng.choice(latin_forms)
            kinds.append("western_given")
    if rng.random() < rates["typo"]:
        if rng.random() < 0.6:
            f = typo(f, rng)
        else:
            g = typo(g, rng)
        kinds.append("typo")
    words = [g, f]
    if rng.random() < rates["patronymic"]:
        words.append(pt)
        kinds.append("patronymic")
    if rng.random() < rates["swap"]:
        words = [f, g, *words[2:]]
        kinds.append("swap")
    draw = rng.random()
    if draw < rates["year_exact"]:
        year: int | None = p.birth_year
    elif draw < rates["year_exact"] + rates["year_off_by_one"]:
        year = p.birth_year + rng.choice((-1, 1))
        kinds.append("year_off_by_one")
    else:
        year = None
        kinds.append("no_year")
    place = place_uk = ""
    if rates.get("place") and rng.random() < rates["place"]:
        place = p.place
        if rng.random() < rates.get("place_elsewhere", 0.0):
            place = rng.choice([other for other in PLACES if other != p.place])
            kinds.append("place_elsewhere")
        else:
            kinds.append("place")
        place_uk = place
        if use_russian:
            place = russian_letters(place)
        if script not in ("uk", "ru_cyrillic"):
            place = transliterate(place, system)
    return Variant(" ".join(words), year, kinds, place, place_uk)
