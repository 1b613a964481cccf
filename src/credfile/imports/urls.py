from django.urls import path

from credfile.imports.views import import_page

app_name = "imports"
urlpatterns = [path("", import_page, name="page")]
