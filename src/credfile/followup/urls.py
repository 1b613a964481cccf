from django.urls import path

from credfile.followup import views

app_name = "followup"

urlpatterns = [
    path("overdue/", views.overdue_list, name="overdue"),
    path("overdue/export.<str:fmt>", views.overdue_export, name="overdue-export"),
    # Before the file's own pages: /customers/<pk>/<section>/ would not match it anyway.
    path(
        "customers/<id:customer_pk>/invoices/<id:pk>/actions/",
        views.invoice_action_list,
        name="invoice-actions",
    ),
]
