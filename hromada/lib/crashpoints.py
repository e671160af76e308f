"""Named places where the crash tests kill the process, as a power cut would.

``crashpoint("aid.stock.move")`` does nothing unless the process was started with
``HROMADA_CRASHPOINT=aid.stock.move``; then it sends itself SIGKILL on the spot: no
``finally``, no rollback, no goodbye to the database, exactly what a lost machine leaves
behind. The variable is read once, at import, so a crashpoint costs one comparison.
Services put them inside their transactions, after the first write and before the commit
(see tests/crash/).
"""

from __future__ import annotations

import os
import signal

ARMED = os.environ.get("HROMADA_CRASHPOINT", "")


def crashpoint(name: str) -> None:
    """Die here, now, with SIGKILL, if this process was started to crash at ``name``."""
    if ARMED and name == ARMED:
        os.kill(os.getpid(), signal.SIGKILL)
