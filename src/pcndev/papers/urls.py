from django.urls import path

from pcndev.papers import views

app_name = "papers"
urlpatterns = [
    path("<int:pk>/places/<str:code>/", views.paper_page, name="place"),
    path("<int:pk>/places/<str:code>/paper.docx", views.paper_docx, name="docx"),
    path("<int:pk>/places/<str:code>/paper.pdf", views.paper_pdf, name="pdf"),
    path("<int:pk>/places/<str:code>/prepare/", views.prepare, name="prepare"),
    path("<int:pk>/places/<str:code>/prepared/<str:kind>", views.prepared, name="prepared"),
]
