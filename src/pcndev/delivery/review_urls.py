from django.urls import path

from pcndev.delivery import cd_review_views, review_views

urlpatterns = [
    path("programmes/<int:pk>/reviews/schedule/", review_views.schedule, name="review-schedule"),
    path("programmes/<int:pk>/reviews/<str:code>/", review_views.pcn_reviews, name="pcn-reviews"),
    path("programmes/<int:pk>/reviews/<str:code>/<str:due>/", review_views.review, name="review"),
    path("programmes/<int:pk>/cd-reviews/<int:plan_id>/", cd_review_views.cd_reviews, name="cd-reviews"),
    path(
        "programmes/<int:pk>/cd-reviews/<int:plan_id>/<str:due>/", cd_review_views.cd_review, name="cd-review"
    ),
]
