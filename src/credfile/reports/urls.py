from django.urls import path

from credfile.reports import views

app_name = "customer-reports"
urlpatterns = [
    path("<id:pk>/report.pdf", views.file_report_view, name="file"),
]
