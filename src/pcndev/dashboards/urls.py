from django.urls import path

from pcndev.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.programme_home, name="programme"),
    path("<int:pk>/national/", views.national, name="national"),
    path("<int:pk>/<str:level>/<str:code>/", views.node, name="node"),
]
