"""Personal data in volunteers: the registry and the applications from abroad."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from hromada.core.privacy import ANONYMISE, ERASED_NAME, Hold, Kind, Person, _any, scrub_history
from hromada.volunteers.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    CustodyRecord,
    Volunteer,
)


def _volunteers(person: Person) -> Q | None:
    return _any(
        [
            person.user_q("user"),
            person.phone_q("phone"),
            person.email_q("email"),
            person.name_q("name") if person.name else None,
        ]
    )


def _inactive(now: datetime.datetime, days: int) -> QuerySet[Volunteer]:
    """Nothing changed on the record and no shift answered or worked since the cut-off: a
    coordinator's edit (the person said they stay) counts as activity."""
    cutoff = now - datetime.timedelta(days=days)
    return Volunteer.objects.filter(updated_at__lt=cutoff).exclude(
        assignments__updated_at__gte=cutoff
    )


def _holds_equipment(now: datetime.datetime) -> Q:
    return Q(
        pk__in=CustodyRecord.objects.open().filter(volunteer__isnull=False).values("volunteer")
    )


def _applications(person: Person, prefix: str = "") -> Q | None:
    return _any(
        [
            person.phone_q(f"{prefix}phone"),
            person.email_q(f"{prefix}email"),
            person.name_q(f"{prefix}name") if person.name else None,
        ]
    )


def _documents(person: Person) -> Q | None:
    return _applications(person, prefix="application__")


FINAL = [Application.Status.REJECTED, Application.Status.WITHDRAWN, Application.Status.ARRIVED]


def _decided_long_ago(now: datetime.datetime, days: int) -> QuerySet[Application]:
    return Application.objects.filter(
        status__in=FINAL, updated_at__lt=now - datetime.timedelta(days=days)
    )


APPLICATION_BLANK: dict[str, Any] = {
    "name": ERASED_NAME, "email": "", "phone": "", "experience": "",
}  # fmt: skip


def _erase_applications(pks: list[Any]) -> int:
    """Blank the applicant, delete their documents (files and rows) and reviewers' notes."""
    for document in ApplicationDocument.objects.filter(application_id__in=pks):
        document.file.delete(save=False)
    ApplicationDocument.objects.filter(application_id__in=pks).delete()
    ApplicationEvent.objects.filter(application_id__in=pks).update(note="")
    Application.objects.filter(pk__in=pks).update(**APPLICATION_BLANK)
    return scrub_history(Application, pks, APPLICATION_BLANK)


KINDS = [
    Kind(
        key="volunteers.volunteer",
        model=Volunteer,
        fields=(
            "organization",
            "name",
            "phone",
            "email",
            "emergency_name",
            "emergency_phone",
            "note",
            "vetting_note",
            "user",
            "is_active",
            "created_at",
            "consent_at",
            "consent_version",
        ),
        find=_volunteers,
        erase=ANONYMISE,
        # The row stays for the hours it counted on shifts; nothing in it names or reaches them.
        blank={
            "name": ERASED_NAME,
            "phone": "",
            "email": "",
            "emergency_name": "",
            "emergency_phone": "",
            "note": "",
            "vetting_note": "",
            "user": None,
            "is_active": False,
            "consent_at": None,
            "consent_version": "",
        },
        done=Q(name=ERASED_NAME, phone="", email=""),
        days=730,
        expired=_inactive,
        holds=[Hold(_("Still holds equipment: its return is recorded first."), _holds_equipment)],
    ),
    Kind(
        key="volunteers.application",
        model=Application,
        fields=(
            "reference",
            "name",
            "email",
            "phone",
            "nationality",
            "residence",
            "experience",
            "status",
            "submitted_at",
            "consent_at",
            "consent_version",
        ),
        find=_applications,
        erase=ANONYMISE,
        blank=APPLICATION_BLANK,
        done=Q(name=ERASED_NAME, email=""),
        days=365,
        expired=_decided_long_ago,
        erase_rows=_erase_applications,
    ),
    Kind(
        # Normally erased with their application (above); listed for the export's zip.
        key="volunteers.application_document",
        model=ApplicationDocument,
        fields=("application", "original_name", "content_type", "size", "uploaded_at", "file"),
        find=_documents,
        files=("file",),
        days=365,
        expired=lambda now, days: ApplicationDocument.objects.filter(
            application__in=_decided_long_ago(now, days)
        ),
    ),
]
