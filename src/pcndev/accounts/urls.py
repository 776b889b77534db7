from django.urls import path

from pcndev.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("my-organisations/", views.my_organisations, name="my-organisations"),
    path("notifications/", views.notifications, name="notifications"),
]
