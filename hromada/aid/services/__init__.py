"""Every rule of aid logistics. Pages, the API, the bot and tasks change state only through here.

needs        post, edit, close and expire needs; coverage
pledges      offers by anyone; accept, decline, link, receive into stock
stock        the ledger: receive, transfer, issue, count, reverse; levels and their check
deliveries   plan, claim, pick up, deliver, confirm, fail, cancel; stale claims
recurring    needs that come back every day or week
"""

from hromada.aid.services.needs import (
    add_coverage,
    close_need,
    create_need,
    expire_needs,
    update_need,
)

__all__ = ["add_coverage", "close_need", "create_need", "expire_needs", "update_need"]
