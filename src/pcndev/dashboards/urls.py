from django.urls import path

from pcndev.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.index, name="index"),
]
