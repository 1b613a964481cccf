from django.urls import path

from credfile.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_new, name="new"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/delete/", views.customer_remove, name="delete"),
    path("<int:pk>/add/<slug:kind>/", views.record_add, name="add"),
    path("<int:pk>/<slug:section>/reveal/", views.section_reveal, name="reveal"),
    path("<int:pk>/report/", views.credit_report, name="report"),
    path("<int:pk>/personal-data.<str:fmt>", views.personal_data_download, name="personal-data"),
    path(
        "<int:pk>/consents/<int:consent_pk>/withdraw/",
        views.consent_withdraw_view,
        name="consent-withdraw",
    ),
    path("<int:pk>/<slug:section>/", views.customer_section, name="section"),
]
