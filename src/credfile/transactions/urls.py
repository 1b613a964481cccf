from django.urls import path

from credfile.transactions import portfolio

app_name = "receivables"
urlpatterns = [
    path("", portfolio.portfolio, name="portfolio"),
    path("ageing.<str:fmt>", portfolio.portfolio_export, name="portfolio-export"),
]
