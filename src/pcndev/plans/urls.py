from django.urls import path

from pcndev.plans import cd_views, committee_views, initiative_views, plan_views

app_name = "plans"
urlpatterns = [
    path("", plan_views.index, name="index"),
    path("awaiting/", plan_views.awaiting, name="awaiting"),
    path("programmes/<int:pk>/", plan_views.plan_list, name="list"),
    path("programmes/<int:pk>/pcns/<str:code>/start/", plan_views.plan_start, name="start"),
    path("programmes/<int:pk>/places/<str:code>/committee/", committee_views.committee, name="committee"),
    path("programmes/<int:pk>/cd-plans/", cd_views.cd_plan_list, name="cd-list"),
    path(
        "programmes/<int:pk>/cd-plans/directors/<int:director_id>/",
        cd_views.director_plan,
        name="cd-director",
    ),
    path("programmes/<int:pk>/cd-plans/places/<str:code>/", cd_views.place_plan, name="cd-place"),
    path("versions/<int:pk>/", plan_views.version_detail, name="version"),
    path("versions/<int:pk>/edit/", plan_views.version_edit, name="version-edit"),
    path("versions/<int:pk>/actions/<str:action>/", plan_views.version_action, name="action"),
    path("versions/<int:pk>/release/", committee_views.release, name="release"),
    path("versions/<int:pk>/initiatives/new/", initiative_views.initiative_form, name="initiative-new"),
    path(
        "versions/<int:pk>/initiatives/<int:iid>/", initiative_views.initiative_form, name="initiative-edit"
    ),
    path(
        "versions/<int:pk>/initiatives/<int:iid>/delete/",
        initiative_views.initiative_delete,
        name="initiative-delete",
    ),
    path("initiatives/<int:iid>/override/", initiative_views.initiative_override, name="override"),
]
