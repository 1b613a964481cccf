from django.urls import path

from credfile.retention import views

app_name = "retention"
urlpatterns = [
    path("retention/", views.rule_list, name="rules"),
    path("retention/propose/", views.rule_propose, name="propose"),
    path("retention/changes/<id:pk>/decide/", views.rule_decide, name="decide"),
    path("due/", views.due_list, name="due"),
    path("due/approve/", views.due_approve, name="due-approve"),
    path("certificates/", views.certificate_list, name="certificates"),
    path("certificates/<id:pk>/", views.certificate_detail, name="certificate"),
]
