from django.urls import path

from credfile.surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.questionnaire_list_page, name="list"),
    path("new/", views.questionnaire_new, name="new"),
    path("scores/", views.scores_page, name="scores"),
    path("<id:pk>/", views.questionnaire_page, name="questionnaire"),
    path("<id:pk>/respond/", views.respond_page, name="respond"),
]
