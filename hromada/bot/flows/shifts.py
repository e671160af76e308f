"""/shifts for volunteers: invitations to answer, their shifts (check in and out on the day,
or withdraw), and open shifts of their organisations to take, all through
``hromada.volunteers.services`` with the volunteer's own rights."""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from hromada.bot.engine import Context, Keyboard
from hromada.volunteers import selectors, services
from hromada.volunteers.models import Assignment, Shift
from hromada.volunteers.permissions import access_assignment, access_shift, own_profiles

LISTED = 8


def _when(shift: Shift) -> str:
    start = timezone.localtime(shift.starts_at)
    end = timezone.localtime(shift.ends_at)
    return f"{formats.date_format(start, 'j E, H:i')}–{formats.time_format(end, 'H:i')}"


def _line(shift: Shift) -> str:
    task = shift.task
    where = task.place.name if task.place_id and task.place else ""
    return ", ".join(x for x in (task.title, where, _when(shift)) if x)


def show(context: Context, _argument: str = "") -> None:
    if not context.linked:
        context.say(
            _("Shifts are for linked volunteers. Link your account from the site first (/help).")
        )
        return
    user = context.user
    profiles = list(own_profiles(user))
    if not profiles:
        context.say(_("You are not in any organisation's volunteer registry yet."))
        return
    rows = list(selectors.my_assignments(user)[:LISTED])
    taken = {a.shift_id for a in rows}
    org_ids = [p.organization_id for p in profiles]
    open_shifts = [
        s
        for s in selectors.shift_board(user).filter(task__organization__in=org_ids)[:30]
        if s.pk not in taken and s.shortfall
    ][:LISTED]
    lines: list[str] = []
    keyboard: Keyboard = []
    for assignment in rows:
        shift = assignment.shift
        n = {"id": assignment.pk}
        if assignment.status == Assignment.Status.INVITED:
            lines.append(_("Invitation: %(shift)s") % {"shift": _line(shift)})
            keyboard.append(
                [
                    (_("Accept #%(id)s") % n, f"sh:yes:{assignment.pk}"),
                    (_("Decline #%(id)s") % n, f"sh:no:{assignment.pk}"),
                ]
            )
        elif assignment.checked_in_at and not assignment.checked_out_at:
            lines.append(_("On shift now: %(shift)s") % {"shift": _line(shift)})
            keyboard.append([(_("Check out #%(id)s") % n, f"sh:out:{assignment.pk}")])
        else:
            lines.append(_("Yours: %(shift)s") % {"shift": _line(shift)})
            row = [(_("Withdraw #%(id)s") % n, f"sh:off:{assignment.pk}")]
            if shift.check_in_open:
                row.insert(0, (_("Check in #%(id)s") % n, f"sh:in:{assignment.pk}"))
            keyboard.append(row)
    for shift in open_shifts:
        lines.append(
            _("Open (%(missing)s more needed): %(shift)s")
            % {"missing": shift.shortfall, "shift": _line(shift)}
        )
        keyboard.append([(_("Take #%(id)s") % {"id": shift.pk}, f"sh:take:{shift.pk}")])
    if not lines:
        context.say(_("No shifts for you right now."))
        return
    context.say("\n".join(lines), keyboard)


def on_button(context: Context, rest: str) -> None:
    if not context.linked:
        show(context)
        return
    action, _sep, pk = rest.partition(":")
    user = context.user
    if action == "take":
        services.sign_up_for_shift(user, access_shift(user, pk))
        context.send(_("You are on the shift. Thank you!"))
    else:
        assignment = access_assignment(user, pk)
        if action in ("yes", "no"):
            services.respond(user, assignment, accept=action == "yes")
        elif action == "in":
            services.check_in(user, assignment)
        elif action == "out":
            services.check_out(user, assignment)
        elif action == "off":
            services.withdraw(user, assignment)
        done = {
            "yes": _("Accepted."),
            "no": _("Declined."),
            "in": _("Checked in. Stay safe."),
            "out": _("Checked out. Thank you!"),
            "off": _("Withdrawn: your place is free for someone else."),
        }
        context.send(done.get(action, ""))
    show(context)
