from django.urls import path

from credfile.ratings import views

app_name = "ratings"
urlpatterns = [
    path("", views.waiting_list, name="waiting"),
    path("<int:pk>/decide/", views.rating_decide_view, name="decide"),
]
