from django import forms
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
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

    def error_list(self) -> list[dict]:
        items = []
        for name, errors in self.errors.items():
            anchor = "#id_username" if name == "__all__" else f"#id_{name}"
            items.extend({"text": str(e), "href": anchor} for e in errors)
        return items
