from django.urls import path

from hromada.alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.public_alerts, name="public-alerts"),
    path("map/", views.alert_map, name="alert-map"),
    path("areas.geojson", views.areas_geojson, name="areas-geojson"),
    path("feed.atom", views.alerts_feed, name="feed"),
    path("desk/", views.desk, name="desk"),
    path("new/", views.alert_create, name="alert-create"),
    path("<int:pk>/", views.alert_detail, name="alert-detail"),
    path("<int:pk>/cap.xml", views.alert_cap, name="alert-cap"),
    path("<int:pk>/edit/", views.alert_edit, name="alert-edit"),
    path("<int:pk>/submit/", views.alert_submit, name="alert-submit"),
    path("<int:pk>/approve/", views.alert_approve, name="alert-approve"),
    path("<int:pk>/return/", views.alert_return, name="alert-return"),
    path("<int:pk>/reject/", views.alert_reject, name="alert-reject"),
    path("<int:pk>/discard/", views.alert_discard, name="alert-discard"),
    path("<int:pk>/follow-up/", views.alert_follow_up, name="alert-follow-up"),
    path("displays/", views.display_list, name="display-list"),
    path("displays/new/", views.display_create, name="display-create"),
    path("displays/<int:pk>/", views.display_edit, name="display-edit"),
    path("displays/<int:pk>/new-address/", views.display_rotate, name="display-rotate"),
    path("screen/<str:token>/", views.screen, name="screen"),
    path("screen/<str:token>/state.json", views.screen_state, name="screen-state"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>/", views.subscription_confirm, name="subscription-confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
