"""The document routes under a credit file's URL."""

from django.urls import path

from credfile.documents import views

app_name = "customer-documents"
urlpatterns = [
    path("<id:customer_pk>/documents/upload/", views.upload_view, name="upload"),
    path("<id:customer_pk>/documents/<id:pk>/download/", views.download_view, name="download"),
    path("<id:customer_pk>/documents/<id:pk>/preview/", views.preview_view, name="preview"),
]
