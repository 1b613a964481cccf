from django.urls import path

from credfile.risk import views

app_name = "risk"
urlpatterns = [
    path("watch-list/", views.watch_list, name="watch-list"),
    path("watch-list/export.csv", views.watch_list_export, name="watch-list-export"),
    path("risk/rules/", views.rule_list, name="rules"),
    path("risk/rules/new/", views.rule_edit, name="rule-new"),
    path("risk/rules/<id:pk>/", views.rule_edit, name="rule-edit"),
]
