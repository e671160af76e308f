"""What the aid app does when its data changes, whoever changes it."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from hromada.lib import pagecache


def _needs_changed(sender: Any, **kwargs: Any) -> None:
    pagecache.changed_on_commit("needs")


def connect() -> None:
    """The needs board and "needed most" show needs, with their items, places, organisations
    and areas: a change to any of them drops the pages kept for anonymous visitors."""
    from hromada.aid.models import Item, Need
    from hromada.core.models import Area, Organization, Place

    for model in (Need, Item, Place, Organization, Area):
        for signal in (post_save, post_delete):
            signal.connect(
                _needs_changed, sender=model, dispatch_uid=f"pagecache-needs-{model.__name__}"
            )
