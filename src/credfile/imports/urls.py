from django.urls import path

from credfile.imports.views import import_page, import_run

app_name = "imports"
urlpatterns = [
    path("", import_page, name="page"),
    path("<uuid:pk>/", import_run, name="run"),
]
