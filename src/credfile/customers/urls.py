from django.urls import path

from credfile.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_new, name="new"),
    path("<id:pk>/", views.customer_detail, name="detail"),
    path("<id:pk>/edit/", views.customer_edit, name="edit"),
    path("<id:pk>/edit/reveal/", views.customer_edit_reveal, name="edit-reveal"),
    path("<id:pk>/delete/", views.customer_remove, name="delete"),
    path("<id:pk>/add/<slug:kind>/", views.record_add, name="add"),
    path("<id:pk>/<slug:section>/reveal/", views.section_reveal, name="reveal"),
    path("<id:pk>/personal-data.<str:fmt>", views.personal_data_download, name="personal-data"),
    path(
        "<id:pk>/contacts/<id:contact_pk>/verify/",
        views.contact_verify,
        name="contact-verify",
    ),
    path("<id:pk>/timeline/", views.customer_timeline, name="timeline"),
    path("<id:pk>/<slug:section>/", views.customer_section, name="section"),
]
