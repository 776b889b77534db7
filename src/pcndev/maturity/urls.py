from django.urls import path

from pcndev.maturity import assessment_views, consensus_views, round_views, template_views
from pcndev.ops.scale_gc import gc_paused

app_name = "maturity"
urlpatterns = [
    path("", round_views.index, name="index"),
    path("templates/", template_views.template_list, name="templates"),
    path("templates/upload/", template_views.template_upload, name="template-upload"),
    path("templates/<int:pk>/", template_views.template_detail, name="template"),
    path("templates/<int:pk>/copy/", template_views.template_copy, name="template-copy"),
    path("templates/<int:pk>/elements/<str:code>/", template_views.element_edit, name="element-edit"),
    path("rounds/new/", round_views.round_new, name="round-new"),
    path("rounds/<int:pk>/", round_views.round_detail, name="round"),
    path("rounds/<int:pk>/heatmap/", gc_paused(round_views.round_heatmap), name="heatmap"),  # every PCN
    path("rounds/<int:pk>/reassess/", round_views.round_reassess, name="reassess"),
    path("rounds/<int:pk>/change/", round_views.round_change, name="change"),
    path("rounds/<int:pk>/responses.xlsx", round_views.round_export, name="export"),
    path("rounds/<int:pk>/pcns/<str:code>/", assessment_views.pcn_assessment, name="pcn"),
    path("rounds/<int:pk>/pcns/<str:code>/rate/<str:who>/", assessment_views.rate, name="rate"),
    path(
        "rounds/<int:pk>/pcns/<str:code>/rate/<str:who>/check/",
        assessment_views.rate_summary,
        name="rate-summary",
    ),
    path("rounds/<int:pk>/pcns/<str:code>/consensus/", consensus_views.consensus, name="consensus"),
    path(
        "rounds/<int:pk>/pcns/<str:code>/consensus/submit/",
        consensus_views.consensus_submit,
        name="consensus-submit",
    ),
    path("rounds/<int:pk>/pcns/<str:code>/reopen/", assessment_views.reopen, name="reopen"),
    path("rounds/<int:pk>/pcns/<str:code>/results/", consensus_views.results, name="results"),
]
