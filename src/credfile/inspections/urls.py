from django.urls import path

from credfile.inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list_view, name="list"),
    path("run/", views.inspection_run_view, name="run"),
    path("<int:pk>/", views.inspection_detail_view, name="detail"),
]
