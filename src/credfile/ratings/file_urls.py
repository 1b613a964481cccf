"""The ratings routes under a credit file's URL."""

from django.urls import path

from credfile.ratings import views

app_name = "customer-ratings"
urlpatterns = [
    path("<id:customer_pk>/ratings/propose/", views.rating_propose_view, name="propose"),
]
