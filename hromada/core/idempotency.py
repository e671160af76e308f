"""Creates that happen once per client key, however often the request is replayed.

An offline queue, a bot retry or a double tap sends the same create twice. The client
names each create with a key; the second time we return what the first one made.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from hromada.core.models import IdempotencyKey

T = TypeVar("T", bound=models.Model)

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{8,128}$")
FIELD = "idempotency_key"


class KeyReused(Exception):
    """The key was used by somebody else: we neither create nor reveal their object."""


def validate_key(key: str) -> None:
    if not KEY_PATTERN.match(key):
        raise ValidationError(
            {
                FIELD: _(
                    "The idempotency key must be 8 to 128 letters, digits or - _ . : "
                    "(a UUID is best)."
                )
            }
        )


def create_once(
    *, scope: str, key: str | None, actor: Any, model: type[T], create: Callable[[], T]
) -> tuple[T, bool]:
    """Run ``create`` unless ``key`` was already used in ``scope``; return (object, created).
    A key whose object has since gone (erased) is spent: nothing is made again."""
    made, created = run_once(scope=scope, key=key, actor=actor, model=model, run=lambda: [create()])
    if not made:
        raise KeyReused
    return made[0], created


def _previous_run(scope: str, key: str, actor: Any, model: type[T]) -> list[T] | None:
    row = IdempotencyKey.objects.filter(scope=scope, key=key).first()
    if row is None:
        return None
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    if row.actor_id != actor_id:
        raise KeyReused
    # Keys written before object_ids existed name their one object in object_id.
    ids = [int(pk) for pk in row.object_ids or ([row.object_id] if row.object_id else [])]
    by_pk = model._default_manager.in_bulk(ids)
    return [by_pk[pk] for pk in ids if pk in by_pk]


def run_once(
    *, scope: str, key: str | None, actor: Any, model: type[T], run: Callable[[], list[T]]
) -> tuple[list[T], bool]:
    """Run ``run`` (an action answering the objects it made or changed: stock moves, a
    delivery) unless ``key`` was already used in ``scope``; return (objects, ran).

    A driver's phone that lost the answer to "picked up" or "received 200 blankets" sends it
    again: the stock is moved once, and the retry gets the first answer, not an error."""
    if not key:
        return run(), True
    validate_key(key)
    previous = _previous_run(scope, key, actor, model)
    if previous is not None:
        return previous, False
    try:
        with transaction.atomic():
            objects = run()
            ids = [str(obj.pk) for obj in objects]
            IdempotencyKey.objects.create(
                scope=scope,
                key=key,
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                object_type=ContentType.objects.get_for_model(model),
                object_id=ids[0] if ids else "",
                object_ids=ids,
            )
    except IntegrityError:
        previous = _previous_run(scope, key, actor, model)
        if previous is None:
            raise
        return previous, False
    return objects, True
