from django.urls import path

from credfile.changes import views

app_name = "changes"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("notifications/", views.notifications, name="notifications"),
    path("badge/", views.badge, name="badge"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/approve/", views.approve, name="approve"),
    path("<id:pk>/reject/", views.reject, name="reject"),
    path("<id:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<id:pk>/reveal/", views.reveal, name="reveal"),
    path("records/<slug:kind>/<id:pk>/", views.correct, name="correct"),
    path("records/<slug:kind>/<id:pk>/delete/", views.delete, name="delete"),
]
