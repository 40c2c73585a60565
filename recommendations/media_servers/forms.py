"""The forms an account connects its own media server with."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import Profile, User
from config.secret_box import seal
from recommendations.media_servers.models import MediaServer, MediaServerUser

API_KEY_HELP = (
    "For the library sync. Jellyfin: Dashboard › API Keys; Emby: Settings › API Keys; "
    "Plex: the server's X-Plex-Token. Stored sealed and never shown again."
)


class ServerForm(forms.ModelForm):
    base_url = forms.URLField(
        label="Address",
        assume_scheme="http",
        help_text=MediaServer._meta.get_field("base_url").help_text,
    )
    api_key = forms.CharField(
        label="API key",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=API_KEY_HELP,
    )

    class Meta:
        model = MediaServer
        fields = ["name", "kind", "base_url"]

    def save(self, commit: bool = True) -> MediaServer:
        # A key entered is sealed; none entered keeps the one stored.
        if self.cleaned_data.get("api_key"):
            self.instance.api_key_sealed = seal(self.cleaned_data["api_key"])
        return super().save(commit)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.api_key_sealed:
            self.fields[
                "api_key"
            ].help_text = "A key is stored. Enter another to replace it; leave empty to keep it."


class UserMappingForm(forms.Form):
    """Which of the account's profiles each server user watches as."""

    def __init__(self, *args: Any, users: list[MediaServerUser], account: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.users = users
        profiles = Profile.objects.filter(account=account).order_by("created_at", "pk")
        for user in users:
            self.fields[f"user-{user.pk}"] = forms.ModelChoiceField(
                queryset=profiles,
                required=False,
                initial=user.profile_id,
                label=user.name or user.external_id,
                empty_label="Not counted",
            )

    def changed_users(self) -> list[tuple[MediaServerUser, Profile | None]]:
        return [
            (user, self.cleaned_data[f"user-{user.pk}"])
            for user in self.users
            if self.cleaned_data[f"user-{user.pk}"] != user.profile
        ]
