"""One name per schema in the OpenAPI document, whatever the apps call their classes.

django-ninja builds the schema of each operation on its own and merges the definitions by
their short class name, so two different classes of one name (``aid.api.PlaceRef`` and
``volunteers.api.PlaceRef``, or the ``Status`` choices of a need and of a delivery) become one
component, the last one built: the document then describes a need's place with a volunteer's
place fields, and a need's status with a delivery's statuses (the API fuzz test found it).

``UniqueNamesSchema`` builds the document as ninja does, but names each class by the first of
``Status``, ``NeedStatus``, ``AidNeedStatus``, … that no other class in the document took first.
"""

from __future__ import annotations

import contextvars
import re
from typing import Any

import ninja.openapi.schema
from ninja.openapi.schema import OpenAPISchema
from ninja.schema import NinjaGenerateJsonSchema
from pydantic.json_schema import CoreModeRef, DefsRef

# The names taken in the document being built: name -> pydantic's reference of the class owning it.
_taken: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "openapi_names", default=None
)


def _candidates(qualified: str) -> list[str]:
    """ "hromada.aid.models.Need.Status" -> ["Status", "NeedStatus", "AidNeedStatus", ...]."""
    parts = qualified.split(".")
    classes: list[str] = []
    while parts and parts[-1][:1].isupper():
        classes.insert(0, parts.pop())
    app = parts[1] if len(parts) > 1 and parts[0] == "hromada" else ""
    names = ["".join(classes[-n:]) for n in range(1, len(classes) + 1)]
    names.append(app.title().replace("_", "") + "".join(classes))
    names.append(re.sub(r"[^a-zA-Z0-9]", "_", qualified))
    return names


class _UniquelyNamed(NinjaGenerateJsonSchema):
    def get_defs_ref(self, core_mode_ref: CoreModeRef) -> DefsRef:
        defs_ref = super().get_defs_ref(core_mode_ref)
        taken = _taken.get()
        if taken is None:  # not building a document: ninja's own naming
            return defs_ref
        core_ref = core_mode_ref[0]  # "module.Qual.Name:<id of the class>", generics bracketed
        qualified = "".join(part.rsplit(":", 1)[0] for part in re.split(r"([\][,])", core_ref))
        for name in _candidates(qualified):
            if taken.setdefault(name, core_ref) == core_ref:
                self._prioritized_defsref_choices[defs_ref].insert(0, DefsRef(name))
                break
        return defs_ref


# ninja calls the generator by this module-level name; outside a document build it names as before.
ninja.openapi.schema.NinjaGenerateJsonSchema = _UniquelyNamed  # type: ignore[misc]


class UniqueNamesSchema(OpenAPISchema):
    def __init__(self, api: Any, path_prefix: str) -> None:
        token = _taken.set({})
        try:
            super().__init__(api, path_prefix)
        finally:
            _taken.reset(token)
