from django.urls import path

from credfile.consent import views

app_name = "consent"
urlpatterns = [
    path("<id:pk>/report/", views.credit_report, name="report"),
    path("<id:pk>/consents/<id:consent_pk>/withdraw/", views.withdraw, name="withdraw"),
]
