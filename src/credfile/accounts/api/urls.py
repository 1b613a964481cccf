from django.urls import path

from credfile.accounts.api import views

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("auth/tokens/", views.TokenListView.as_view(), name="api-token-list"),
    path("auth/tokens/<str:token_id>/", views.TokenDetailView.as_view(), name="api-token-detail"),
    path("auth/logout/", views.LogoutView.as_view(), name="api-logout"),
    path("auth/logout-all/", views.LogoutAllView.as_view(), name="api-logout-all"),
    path(
        "privilege-changes/",
        views.PrivilegeChangeViewSet.as_view({"get": "list"}),
        name="privilege-change-list",
    ),
    path(
        "privilege-changes/<id:pk>/",
        views.PrivilegeChangeViewSet.as_view({"get": "retrieve"}),
        name="privilege-change-detail",
    ),
    *[
        path(
            f"privilege-changes/<id:pk>/{verb}/",
            views.PrivilegeChangeViewSet.as_view({"post": verb}),
            name=f"privilege-change-{verb}",
        )
        for verb in ("approve", "reject")
    ],
]
