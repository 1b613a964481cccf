from django.urls import path

from credfile.limits import views

app_name = "limits"
urlpatterns = [
    path("refusals/", views.refusals_view, name="refusals"),
    path("requests/<int:pk>/decide/", views.limit_decide_view, name="decide"),
]
