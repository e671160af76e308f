"""The bot's pages, and what each persona gets (see tests/matrix.py). The webhook exists only
when a secret is configured (tests/test_doors.py checks it with one); without, it is 404."""

from tests.matrix import Row, everyone, signed_in

# fmt: off
ROWS = [
    Row("link page", "get", lambda c: "/bot/link/", signed_in(200, 302)),
    Row("make a link code", "post", lambda c: "/bot/link/", signed_in(200, 302),
        data=lambda c: {"action": "code"}),
    Row("unlink", "post", lambda c: "/bot/link/", signed_in(302, 302),
        data=lambda c: {"action": "unlink"}),
    Row("webhook without a secret configured", "post", lambda c: "/bot/webhook/", everyone(404),
        data=lambda c: {"update_id": 1}, json=True),
]
# fmt: on
