from django.urls import path

from credfile.limits import expiring, order_views, views

app_name = "limits"
urlpatterns = [
    path("refusals/", views.refusals_view, name="refusals"),
    path("expiring/", expiring.limits_expiring_view, name="expiring"),
    path("requests/<int:pk>/decide/", views.limit_decide_view, name="decide"),
    path("<int:pk>/block/", order_views.limit_block_view, name="block"),
    path("groups/", views.groups_view, name="groups"),
    path("groups/new/", views.group_new_view, name="group-new"),
    path("groups/<int:pk>/", views.group_view, name="group"),
    path("groups/<int:pk>/members/", views.group_member_add_view, name="group-member-add"),
    path(
        "groups/<int:pk>/members/<int:member_pk>/remove/",
        views.group_member_remove_view,
        name="group-member-remove",
    ),
    path("groups/<int:pk>/limit-request/", views.group_limit_request_view, name="group-limit"),
]
