"""The name engine: one person's name across Ukrainian, Russian and Latin spellings.

``translit`` writes and folds spellings, ``phonetic`` makes the keys and the similarity,
``equivalents`` knows which given names are one name, and ``index`` keeps the token index
in the database and searches it.
"""
