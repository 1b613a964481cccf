from django.urls import path

from credfile.accounts import oidc, views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    # Single sign-on with an OpenID Connect provider (docs/sso.md); 404 unless configured.
    path("oidc/start/", oidc.OIDCStartView.as_view(), name="oidc-start"),
    path("oidc/callback/", oidc.OIDCCallbackView.as_view(), name="oidc-callback"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("otp/setup/", views.otp_setup, name="otp-setup"),
    path("otp/verify/", views.otp_verify, name="otp-verify"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("tokens/", views.api_tokens, name="api-tokens"),
    path("tokens/revoke-all/", views.api_tokens_revoke_all, name="api-tokens-revoke-all"),
    path("tokens/<str:token_id>/revoke/", views.api_token_revoke_view, name="api-token-revoke"),
    path("privileges/", views.privilege_changes, name="privilege-changes"),
    path("privileges/<id:pk>/decide/", views.privilege_change_decide, name="privilege-decide"),
    path(
        "privileges/<id:pk>/withdraw/",
        views.privilege_change_withdraw_view,
        name="privilege-withdraw",
    ),
]
