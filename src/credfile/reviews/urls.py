from django.urls import path

from credfile.reviews import views

app_name = "reviews"
urlpatterns = [
    path("", views.review_queue, name="queue"),
    path("policies/", views.policy_list, name="policies"),
    path("policies/<id:pk>/edit/", views.policy_edit, name="policy-edit"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
]

# Mounted at customers/<pk>/review/ by the project's URL map, beside the file's own pages.
review_form = path("customers/<id:pk>/review/", views.review_new, name="customer-review")
