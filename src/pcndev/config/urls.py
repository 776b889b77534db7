from django.contrib import admin
from django.urls import include, path

from pcndev.api.urls import api
from pcndev.config import views
from pcndev.orgs import views as org_views

admin.site.site_header = "pcndev support administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("search/", org_views.search, name="search"),
    path("organisations/", include("pcndev.orgs.urls")),
    path("account/", include("pcndev.accounts.urls")),
    path("funding/", include("pcndev.funding.urls")),
    path("self-assessment/", include("pcndev.maturity.urls")),
    path("papers/", include("pcndev.papers.urls")),
    path("plans/", include("pcndev.plans.urls")),
    path("delivery/", include("pcndev.delivery.urls")),
    path("dashboards/", include("pcndev.dashboards.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler404 = "pcndev.config.views.not_found"
handler500 = "pcndev.config.errors.server_error"
