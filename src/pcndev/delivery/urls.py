from django.urls import include, path

from pcndev.delivery import views

app_name = "delivery"
urlpatterns = [
    path("", views.index, name="index"),
    path("programmes/<int:pk>/timetable/", views.timetable, name="timetable"),
    path(
        "programmes/<int:pk>/timetable/<str:level>/<str:code>/<str:kind>/",
        views.timetable_edit,
        name="timetable-edit",
    ),
    path("programmes/<int:pk>/journey/", views.journey_counts, name="journey"),
    path("programmes/<int:pk>/journey/<str:code>/", views.pcn_journey, name="pcn-journey"),
    path("programmes/<int:pk>/overdue/", views.overdue_list, name="overdue"),
    path("", include("pcndev.delivery.review_urls")),
    path("", include("pcndev.delivery.rollover_urls")),
]
