from django.urls import path

from credfile.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_new, name="new"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/delete/", views.customer_remove, name="delete"),
    path("<int:pk>/<slug:section>/", views.customer_section, name="section"),
    path("<int:pk>/add/<slug:kind>/", views.record_add, name="add"),
    path("<int:pk>/<slug:section>/reveal/", views.section_reveal, name="reveal"),
]
