"""The home page (`/`): what a user sees after signing in, chosen by the policy's
`home_panels` for the user's role."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from credfile.accounts.models import User
from credfile.core.permissions import home_panels
from credfile.home.panels import build


@never_cache
@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    panels = build(user, home_panels(user))
    return render(request, "home/home.html", {"panels": panels})
