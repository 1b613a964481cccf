from django.urls import path

from credfile.complaints import views

app_name = "complaints"

urlpatterns = [
    path("", views.complaint_list_page, name="list"),
    path("<id:pk>/", views.complaint_detail, name="detail"),
    path("<id:pk>/transition/", views.complaint_transition_page, name="transition"),
]
