"""The password change, recorded in the log (allauth's signal, so finsam.accounts writes it
like a reset). Django ends the person's other sessions on a change; this one stays."""

from allauth.account import forms as allauth_forms
from allauth.account.signals import password_changed
from django.contrib.auth import views as auth_views


class RecordedPasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed.send(
            sender=type(self.request.user), request=self.request, user=self.request.user
        )
        return response


class LoginForm(allauth_forms.LoginForm):
    """allauth's login with the product's labels: no placeholders standing in for them, and
    the reset link once, under the form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Användarnamn eller e-postadress"
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["login"].widget.attrs["autocomplete"] = "username"
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields["password"].help_text = ""
        self.summary_title = "Du är inte inloggad"
