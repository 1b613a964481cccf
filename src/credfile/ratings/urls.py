from django.urls import path

from credfile.ratings import views

app_name = "ratings"
urlpatterns = [
    path("", views.waiting_list, name="waiting"),
    path("<int:pk>/decide/", views.rating_decide_view, name="decide"),
    path("scorecards/", views.scorecard_list, name="scorecards"),
    path("scorecards/<int:pk>/", views.scorecard_version, name="scorecard-version"),
    path("scorecards/<int:pk>/new/", views.scorecard_new_version, name="scorecard-new"),
    path("scorecards/<int:pk>/publish/", views.scorecard_publish_view, name="scorecard-publish"),
    path("scorecards/fits/", views.fit_list, name="fits"),
    path("scorecards/fits/<int:pk>/", views.fit_detail, name="fit"),
    path("scorecards/fits/<int:pk>/version/", views.fit_version, name="fit-version"),
    path("stability/", views.stability_page, name="stability"),
    path("industry-risk/", views.industry_risk, name="industry-risk"),
    path("matrix/", views.value_matrix, name="matrix"),
]
