from django.urls import path

from hromada.volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("", views.home, name="home"),
    # Open to anyone: joining, applying from abroad, the directory's public cards.
    path("join/", views.signup, name="signup"),
    path("join/thanks/", views.signup_thanks, name="signup-thanks"),
    path("apply/", views.apply_start, name="apply"),
    path("apply/<str:lang>/", views.apply, name="apply-form"),
    path(
        "apply/<str:lang>/status/<str:reference>/<str:secret>/",
        views.application_status,
        name="application-status",
    ),
    path("directory/", views.directory, name="directory"),
    # A volunteer's own page.
    path("me/", views.my_shifts, name="my-shifts"),
    # The registry.
    path("people/", views.volunteer_list, name="volunteer-list"),
    path("people/export/", views.volunteer_export, name="volunteer-export"),
    path("people/new/", views.volunteer_create, name="volunteer-create"),
    path("people/<int:pk>/", views.volunteer_detail, name="volunteer-detail"),
    path("people/<int:pk>/edit/", views.volunteer_edit, name="volunteer-edit"),
    path("people/<int:pk>/vetting/", views.volunteer_vetting, name="volunteer-vetting"),
    path("people/<int:pk>/remove/", views.volunteer_remove, name="volunteer-remove"),
    # Teams.
    path("teams/", views.team_list, name="team-list"),
    path("teams/new/", views.team_create, name="team-create"),
    path("teams/<int:pk>/", views.team_detail, name="team-detail"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team-edit"),
    path("teams/<int:pk>/members/", views.team_member_add, name="team-member-add"),
    path(
        "teams/<int:pk>/members/<int:volunteer_pk>/remove/",
        views.team_member_remove,
        name="team-member-remove",
    ),
    # Tasks, shifts, the count in and back.
    path("shifts/", views.shift_board, name="shift-board"),
    path("shifts/<int:pk>/", views.shift_detail, name="shift-detail"),
    path("shifts/<int:pk>/signup/", views.shift_signup, name="shift-signup"),
    path("shifts/<int:pk>/invite/", views.shift_invite, name="shift-invite"),
    path("shifts/<int:pk>/team-signup/", views.shift_team_signup, name="shift-team-signup"),
    path("shifts/<int:pk>/cancel/", views.shift_cancel, name="shift-cancel"),
    path("tasks/new/", views.task_create, name="task-create"),
    path("tasks/<int:pk>/", views.task_detail, name="task-detail"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task-edit"),
    path("tasks/<int:pk>/close/", views.task_close, name="task-close"),
    path("tasks/<int:pk>/shifts/new/", views.shift_create, name="shift-create"),
    path("assignments/<int:pk>/<slug:action>/", views.assignment_action, name="assignment-action"),
    path("hours/", views.hours, name="hours"),
    path("hours/export/", views.hours_export, name="hours-export"),
    # Equipment custody.
    path("equipment/", views.custody_register, name="custody-register"),
    path("equipment/export/", views.custody_export, name="custody-export"),
    path("equipment/items/", views.equipment_list, name="equipment-list"),
    path("equipment/new/", views.equipment_create, name="equipment-create"),
    path("equipment/<int:pk>/", views.equipment_detail, name="equipment-detail"),
    path("equipment/<int:pk>/issue/", views.equipment_issue, name="equipment-issue"),
    path("equipment/<int:pk>/return/", views.equipment_return, name="equipment-return"),
    path("equipment/<int:pk>/retire/", views.equipment_retire, name="equipment-retire"),
    # Applications from abroad, for reviewers and referrers.
    path("applications/", views.application_list, name="application-list"),
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    path("applications/<int:pk>/status/", views.application_move, name="application-move"),
    path("applications/<int:pk>/note/", views.application_note, name="application-note"),
    path("applications/<int:pk>/take/", views.application_take, name="application-take"),
    path(
        "applications/<int:pk>/documents/<int:document>/",
        views.application_document,
        name="application-document",
    ),
    path("referrals/", views.referrals, name="referrals"),
    # The contact directory.
    path("directory/new/", views.card_create, name="card-create"),
    path("directory/<int:pk>/edit/", views.card_edit, name="card-edit"),
]
