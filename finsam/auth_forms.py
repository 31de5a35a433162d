"""The login form with Swedish labels (Django's own messages are translated already)."""

from django.contrib.auth.forms import AuthenticationForm


class SwedishAuthenticationForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Användarnamn"
        self.fields["password"].label = "Lösenord"
