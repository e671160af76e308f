"""The one pagination of every API list: ninja's limit and offset, bounded.

Ninja's own accepts any whole number, and the database does not: an offset of 10**26 made
SQLite answer "datatype mismatch" and PostgreSQL "bigint out of range", a 500 (the API fuzz
test found it). Past these bounds the caller gets a 422 that names the field.
"""

from __future__ import annotations

from ninja import Field, Schema
from ninja.conf import settings
from ninja.pagination import LimitOffsetPagination as NinjaLimitOffsetPagination

LARGEST = 2**31 - 1  # far past any list we hold, well inside every database's integers


class LimitOffsetPagination(NinjaLimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            settings.PAGINATION_PER_PAGE, ge=1, le=min(settings.PAGINATION_MAX_LIMIT, LARGEST)
        )
        offset: int = Field(0, ge=0, le=LARGEST)
