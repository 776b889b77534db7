from django.urls import path

from pcndev.funding import entry_views, ledger_views, manage_views, scenario_views, views

app_name = "funding"
urlpatterns = [
    path("", views.programme_list, name="programmes"),
    path("new/", manage_views.programme_new, name="programme-new"),
    path("<int:pk>/", views.programme_detail, name="programme"),
    path("<int:pk>/ledger/", ledger_views.ledger_history, name="ledger"),
    path("<int:pk>/systems/<str:code>/", views.system_money, name="system"),
    path("<int:pk>/places/<str:code>/", views.place_money, name="place"),
    path("<int:pk>/pcns/<str:code>/", views.pcn_money, name="pcn"),
    path("<int:pk>/pcns/<str:code>/record/<str:kind>/", entry_views.entry_new, name="entry-new"),
    path(
        "<int:pk>/pcns/<str:code>/entries/<int:entry_pk>/reverse/",
        entry_views.reversal_new,
        name="reverse",
    ),
    path("<int:pk>/runs/<int:run_pk>/", scenario_views.run_detail, name="run"),
    path("<int:pk>/compare/", scenario_views.compare, name="compare"),
    path("<int:pk>/allocate/", manage_views.allocation_new, name="allocate"),
    path("<int:pk>/<str:level>/<str:code>/top-up/", manage_views.top_up_new, name="top-up"),
]
