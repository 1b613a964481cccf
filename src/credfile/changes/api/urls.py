from django.urls import URLPattern, path

from credfile.changes.api.views import ChangeRequestViewSet

urlpatterns: list[URLPattern] = [
    path(
        "change-requests/",
        ChangeRequestViewSet.as_view({"get": "list"}),
        name="change-request-list",
    ),
    path(
        "change-requests/<id:pk>/",
        ChangeRequestViewSet.as_view({"get": "retrieve"}),
        name="change-request-detail",
    ),
    *[
        path(
            f"change-requests/<id:pk>/{verb}/",
            ChangeRequestViewSet.as_view({"post": verb}),
            name=f"change-request-{verb}",
        )
        for verb in ("approve", "reject", "withdraw")
    ],
]
