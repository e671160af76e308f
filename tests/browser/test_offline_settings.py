"""Settings for the offline tests' own server: the project's, with the replay middleware
(hromada.core.offline.replay_once) after the message middleware until settings.py lists it
there; then this changes nothing. Not a test module: the server imports it by name."""

from hromada.settings import *  # noqa: F403
from hromada.settings import MIDDLEWARE

REPLAY = "hromada.core.offline.replay_once"
if REPLAY not in MIDDLEWARE:
    _at = MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1
    MIDDLEWARE = [*MIDDLEWARE[:_at], REPLAY, *MIDDLEWARE[_at:]]
