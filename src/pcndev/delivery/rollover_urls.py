from django.urls import path

from pcndev.delivery import rollover_views

urlpatterns = [
    path("programmes/<int:pk>/rollover/", rollover_views.rollover, name="rollover"),
    path("pcns/<str:code>/years/", rollover_views.multi_year, name="multi-year"),
]
