"""django.contrib.admin with credfile's audited site as `admin.site` (see admin_site.py).

A module of its own: INSTALLED_APPS imports it before the models are ready.
"""

from django.contrib.admin.apps import AdminConfig


class AuditedAdminConfig(AdminConfig):
    default_site = "credfile.accounts.admin_site.AuditedAdminSite"
