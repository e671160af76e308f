"""Given names that are the same name: Ukrainian, Russian and western forms, and diminutives.

A mother abroad writes "Alexander", a Russian-speaking clerk "Александр", the hospital
"Олександр", a friend "Sasha". Each line is one name: its Ukrainian form first, then
every other form we know. Forms are matched by their phonetic skeleton, so one Latin
spelling of each is enough (Oleksandr also covers Oleksander and Olexandr).
"""

from __future__ import annotations

# fmt: off
MALE = """
Олександр Александр Aleksandr Alexander Alexandre Aleksander Alexandr Саша Сашко Шура Sasha Sacha Sascha Олесь Alex
Андрій Андрей Andrii Andrey Andrei Andrew André Andre Andrzej Andreas Андрійко Андрюша Andriy
Анатолій Анатолий Anatolii Anatoly Anatole Tolik Толя
Антон Anton Antoine Antoni Антоша
Артем Артём Artem Artyom Artiom Artemis Тема Tyoma
Богдан Bohdan Bogdan Богдасик
Борис Borys Boris Боря
Вадим Vadym Vadim
Валентин Valentyn Valentin Valentine Валя
Валерій Валерий Valerii Valery Valeriy Valère Валера
Василь Василий Vasyl Vasily Vasilii Wasyl Basil Vassili Вася
Віктор Виктор Viktor Victor Wiktor Витя Вітя
Віталій Виталий Vitalii Vitaly Vitaliy Vitali Віталік
Владислав Vladyslav Vladislav Władysław Влад Vlad
Володимир Владимир Volodymyr Vladimir Wolodymyr Włodzimierz Waldemar Володя Вова Vova Volodia
Всеволод Vsevolod Сева
Вячеслав Вячеслав В'ячеслав Viacheslav Vyacheslav Slava Слава Wiaczesław
Геннадій Геннадий Hennadii Gennady Gennadiy Гена
Георгій Георгий Heorhii Georgy Georgiy George Georges Georg Jerzy Гоша Жора Юрко
Григорій Григорий Hryhorii Grigory Grigoriy Gregory Grégoire Grzegorz Гриша Грицько
Даниїл Данило Даниил Данила Danylo Daniil Daniel Danila Danyil Daniel Данько Даня
Денис Denys Denis Dennis Денисько
Дмитро Дмитрий Dmytro Dmitry Dmitriy Dmitri Dimitri Dymitr Дима Діма Dima Митя
Євген Евгений Yevhen Ievgen Evgeny Yevgeny Eugene Eugène Eugeniusz Женя Zhenya Jenia
Іван Иван Ivan Ioan John Jean Jan Johann Iwan Ваня Іванко Vanya
Ігор Игорь Ihor Igor Ігорко
Ілля Илья Illia Ilya Ilia Elie Eliasz Ілько
Йосип Иосиф Yosyp Iosif Joseph Józef Josef Осип Osyp
Кирило Кирилл Kyrylo Kirill Cyril Cyrille Cyryl Кирюша
Костянтин Константин Kostiantyn Konstantin Constantine Constantin Konstanty Костя Kostia
Леонід Леонид Leonid Léonide Лёня Льоня
Максим Maksym Maxim Maksim Maxime Maks Max Макс
Микита Никита Mykyta Nikita Nicétas
Микола Николай Mykola Nikolai Nikolay Nicholas Nicolas Mikołaj Nikolaus Коля Kolia Kolya Миколка
Михайло Михаил Mykhailo Mikhail Michael Michel Michał Mychajlo Миша Misha Михась
Назар Nazar Назарко
Олег Oleh Oleg Олежка
Олексій Алексей Oleksii Aleksei Alexey Alexei Alexis Aleksy Льоша Леша Alyosha Олекса
Павло Павел Pavlo Pavel Paul Paweł Павлик Паша Pasha
Петро Пётр Петр Petro Pyotr Petr Peter Pierre Piotr Петрик Петя
Роман Roman Romain Рома
Ростислав Rostyslav Rostislav Ростик
Руслан Ruslan Руслик
Сергій Сергей Serhii Sergey Sergei Serge Sergiusz Сергійко Сірожа Серёжа Seryozha
Станіслав Станислав Stanislav Stanisław Стас Stas
Степан Stepan Stéphane Stephen Stefan Szczepan Стьопа
Тарас Taras Тарасик
Тимофій Тимофей Tymofii Timofey Timothy Timothée Тима
Федір Фёдор Федор Fedir Fedor Fyodor Theodore Fiodor Федя
Юрій Юрий Yurii Yury Yuri Iurii Georgii Jurij Jerzy Юра Yura Юрко
Ярослав Yaroslav Iaroslav Jarosław Ярик Slavko
"""

FEMALE = """
Олександра Александра Oleksandra Aleksandra Alexandra Alexandrine Саша Шура Sasha Lesia Леся
Алла Alla
Анастасія Анастасия Anastasiia Anastasia Anastasiya Anastazja Настя Nastia Nastya
Ангеліна Ангелина Anhelina Angelina
Анна Ганна Hanna Anna Ganna Anne Ania Аня Ганнуся Hannusia
Валентина Valentyna Valentina Valentine Валя
Вікторія Виктория Viktoriia Victoria Viktoria Wiktoria Віка Vika
Віра Вера Vira Vera Véra Wiera
Галина Halyna Galina Halina Галя Galia
Дар'я Дарья Дарина Daria Darya Dariia Даша Dasha
Діана Диана Diana Diane
Євгенія Евгения Yevheniia Evgenia Eugenia Eugénie Женя
Єлизавета Елизавета Yelyzaveta Elizaveta Elizabeth Élisabeth Elżbieta Ліза Liza
Зоя Zoia Zoya Zoé
Ірина Ирина Iryna Irina Irène Irena Іра Ira
Катерина Екатерина Kateryna Ekaterina Yekaterina Catherine Katarzyna Katharina Катя Katia Katya
Лариса Larysa Larisa Larissa Лара
Лілія Лилия Liliia Lilia Lily Liliana Ліля
Людмила Liudmyla Lyudmila Ludmila Ludmilla Люда Liuda Мила
Марина Maryna Marina Marine Мариша
Марія Мария Mariia Maria Marie Mary Maryja Маша Masha Марічка Marichka
Надія Надежда Nadiia Nadezhda Nadia Nadia Nadine Надя Nadya
Наталія Наталья Наталия Nataliia Natalia Natalya Nathalie Natalie Natasha Наташа
Ніна Нина Nina
Оксана Oksana Ксана
Олена Елена Olena Elena Yelena Helena Hélène Helen Alona Альона Алёна Lena Лена
Ольга Olha Olga Olga Оля Olia
Поліна Полина Polina Pauline Paulina
Світлана Светлана Svitlana Svetlana Swietłana Світла Світа Sveta
Софія София Sofiia Sofia Sophie Sophia Zofia Соня Sonia
Тамара Tamara
Тетяна Татьяна Tetiana Tatiana Tatyana Tatiana Tatiana Tania Таня
Юлія Юлия Yuliia Yulia Julia Julie Julia Юля
Яна Yana Iana Jana
"""
# fmt: on


def groups() -> list[tuple[str, str, list[str]]]:
    """(canonical Ukrainian form, sex, every form) for each name."""
    result = []
    for sex, block in (("male", MALE), ("female", FEMALE)):
        for line in block.strip().splitlines():
            forms = line.split()
            result.append((forms[0], sex, forms))
    return result
