"""A credit file's life cycle (settle, archive, legal holds), under the file's URL."""

from django.urls import path

from credfile.retention import views

app_name = "customer-lifecycle"
urlpatterns = [
    path("<id:customer_pk>/lifecycle/", views.lifecycle_page, name="page"),
    path("<id:customer_pk>/lifecycle/settle/", views.settle, name="settle"),
    path("<id:customer_pk>/lifecycle/archive/", views.archive, name="archive"),
    path("<id:customer_pk>/lifecycle/holds/", views.hold_place, name="hold"),
    path("<id:customer_pk>/lifecycle/holds/<id:pk>/lift/", views.hold_lift, name="hold-lift"),
    path(
        "<id:customer_pk>/lifecycle/deletion-request/",
        views.deletion_request,
        name="deletion-request",
    ),
]
