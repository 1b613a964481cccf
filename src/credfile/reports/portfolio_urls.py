from django.urls import path

from credfile.reports import views

app_name = "reports"
urlpatterns = [
    path("portfolio.pdf", views.portfolio_report_view, name="portfolio"),
]
