from django.urls import path

from hromada.bot import views

app_name = "bot"

urlpatterns = [
    path("webhook/", views.webhook, name="webhook"),
    path("link/", views.link, name="link"),
]
