from django.urls import path

from credfile.limits import order_views, views

app_name = "limits"
urlpatterns = [
    path("refusals/", views.refusals_view, name="refusals"),
    path("requests/<int:pk>/decide/", views.limit_decide_view, name="decide"),
    path("<int:pk>/block/", order_views.limit_block_view, name="block"),
]
