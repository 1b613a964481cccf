"""The survey routes under a credit file's URL."""

from django.urls import path

from credfile.surveys import views

app_name = "customer-surveys"
urlpatterns = [
    path("<id:customer_pk>/surveys/<id:pk>/record/", views.file_record_page, name="record"),
    path(
        "<id:customer_pk>/surveys/responses/<id:pk>/answer/",
        views.file_answer_page,
        name="answer",
    ),
]
