from django.urls import path

from credfile.changes import views

app_name = "changes"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("notifications/", views.notifications, name="notifications"),
    path("badge/", views.badge, name="badge"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
    path("records/<slug:kind>/<int:pk>/", views.correct, name="correct"),
]
