"""The credit-limit routes under a credit file's URL."""

from django.urls import path

from credfile.limits import order_views, views

app_name = "customer-limits"
urlpatterns = [
    path("<id:customer_pk>/limits/request/", views.limit_request_view, name="request"),
    path("<id:customer_pk>/limits/orders/", order_views.order_add_view, name="order-add"),
    path(
        "<id:customer_pk>/limits/orders/<int:pk>/close/",
        order_views.order_close_view,
        name="order-close",
    ),
]
