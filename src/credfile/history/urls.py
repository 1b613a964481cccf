from django.urls import path

from credfile.history import views

app_name = "history"
urlpatterns = [
    path("<id:pk>/history/", views.history_list, name="list"),
    path("<id:pk>/history/diff/", views.history_diff, name="diff"),
    path("<id:pk>/as-of/", views.history_as_of, name="as_of"),
]
