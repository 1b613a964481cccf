from django.urls import path

from credfile.home import views

urlpatterns = [
    path("", views.home, name="home"),
]
