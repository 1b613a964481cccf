from django.urls import path

from credfile.history import views

app_name = "history"
urlpatterns = [
    path("<int:pk>/history/", views.history_list, name="list"),
    path("<int:pk>/history/diff/", views.history_diff, name="diff"),
    path("<int:pk>/as-of/", views.history_as_of, name="as_of"),
]
