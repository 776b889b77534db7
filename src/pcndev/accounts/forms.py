from django import forms
from django.contrib.auth.forms import AuthenticationForm

from pcndev.forms import NHSForm


class SignInForm(AuthenticationForm):
    anchors = {"__all__": "#id_username", "username": "#id_username", "password": "#id_password"}
    error_list = NHSForm.error_list
    username = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address like name@nhs.net",
        },
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": "Enter your password"},
    )

    error_messages = {
        "invalid_login": "Enter a correct email address and password. Both are case-sensitive.",
        "inactive": "This account is inactive. Contact your administrator.",
    }
