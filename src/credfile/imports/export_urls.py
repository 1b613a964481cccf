from django.urls import path

from credfile.imports.export_views import customer_list_export

app_name = "exports"
urlpatterns = [path("export.<str:fmt>", customer_list_export, name="customers")]
