from django.urls import path

from pcndev.orgs import place_views, views

app_name = "orgs"
urlpatterns = [
    path("", views.index, name="index"),
    path("regions/<str:code>/", views.region_detail, name="region"),
    path("systems/<str:code>/", views.system_detail, name="system"),
    path("systems/<str:code>/places/", place_views.place_list, name="place-list"),
    path("systems/<str:code>/places/new/", place_views.place_edit, name="place-new"),
    path("systems/<str:code>/places/<str:place_code>/", place_views.place_edit, name="place-edit"),
    path("places/<str:code>/", views.place_detail, name="place"),
    path("pcns/<str:code>/", views.pcn_detail, name="pcn"),
    path("practices/<str:code>/", views.practice_detail, name="practice"),
]
