"""The survey routes under a customer event's URL."""

from django.urls import path

from credfile.surveys import views

app_name = "event-surveys"
urlpatterns = [
    path("<id:pk>/surveys/send/", views.event_send_page, name="send"),
]
