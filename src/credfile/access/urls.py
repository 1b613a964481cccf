from django.urls import path

from credfile.access import views

app_name = "access"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("new/", views.application_new, name="new"),
    path("<id:pk>/", views.application_detail, name="detail"),
    path("<id:pk>/decide/", views.application_decide, name="decide"),
    path("<id:pk>/withdraw/", views.application_withdraw, name="withdraw"),
]
