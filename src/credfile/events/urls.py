from django.urls import path

from credfile.events import views

app_name = "events"
urlpatterns = [
    path("", views.event_list_page, name="list"),
    path("new/", views.event_new, name="new"),
    path("<id:pk>/", views.event_detail, name="detail"),
    path("<id:pk>/edit/", views.event_edit, name="edit"),
    path("<id:pk>/status/", views.event_status, name="status"),
    path("<id:pk>/invite/", views.event_invite, name="invite"),
    path("<id:pk>/attendance/", views.event_attendance, name="attendance"),
    path("invitations/<id:pk>/status/", views.invitation_status, name="invitation-status"),
]
