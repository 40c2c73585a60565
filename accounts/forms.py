from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import RegexValidator
from django.http import HttpRequest

from accounts.limits import LimitReached
from accounts.maturity import AGE_CHOICES, KIDS_MAX_AGE
from accounts.models import AvatarColor, Language, Profile, User
from accounts.services import password_reset_attempt, sign_in, sign_up_attempt


class SignupForm(forms.Form):
    name = forms.CharField(max_length=40, label="Your name", help_text="Your first profile's name.")
    email = forms.EmailField(label="E-mail address")
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        try:
            sign_up_attempt(request=self.request, email=email)
        except LimitReached as exc:
            raise forms.ValidationError(str(exc), code="limited") from exc
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this address exists. Sign in instead.")
        return email

    def clean(self) -> dict:
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            probe = User(email=cleaned.get("email", ""), name=cleaned.get("name", ""))
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail address", widget=forms.EmailInput(attrs={"autofocus": True})
    )

    def clean(self) -> dict:
        # AuthenticationForm.clean, with the limit on wrong passwords per address.
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email is not None and password:
            try:
                self.user_cache = sign_in(request=self.request, email=email, password=password)
            except LimitReached as exc:
                raise forms.ValidationError(str(exc), code="locked") from exc
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class PasswordResetForm(auth_forms.PasswordResetForm):
    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        try:
            password_reset_attempt(request=self.request, email=email)
        except LimitReached as exc:
            raise forms.ValidationError(str(exc), code="limited") from exc
        return email


def _pin_field(label: str, *, autocomplete: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        validators=[RegexValidator(r"^[0-9]{4}\Z", "A PIN is 4 digits.")],
        # Shown as dots, typed on a phone's number pad.
        widget=forms.PasswordInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": autocomplete,
                "pattern": "[0-9]{4}",
                "maxlength": "4",
                "size": "4",
            }
        ),
    )


class ProfileForm(forms.ModelForm):
    avatar_color = forms.ChoiceField(
        choices=AvatarColor.choices, widget=forms.RadioSelect, label="Colour"
    )
    language = forms.ChoiceField(choices=Language.choices)
    max_maturity_age = forms.TypedChoiceField(
        choices=AGE_CHOICES, coerce=int, label="Maturity limit", initial=18
    )
    pin = _pin_field(
        "Profile PIN",
        autocomplete="new-password",
        help_text="4 digits, asked before anyone watches as this profile. Leave empty for none.",
    )
    pin_remove = forms.BooleanField(label="Remove the PIN", required=False)

    class Meta:
        model = Profile
        fields = ["name", "avatar_color", "language", "is_kids", "max_maturity_age"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.has_pin:
            self.fields["pin"].label = "New PIN"
            self.fields["pin"].help_text = "This profile has a PIN. Leave empty to keep it."
        else:
            del self.fields["pin_remove"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("is_kids") and (cleaned.get("max_maturity_age") or 0) > KIDS_MAX_AGE:
            self.add_error(
                "max_maturity_age", f"A kids profile may see titles up to {KIDS_MAX_AGE}+."
            )
        if cleaned.get("pin") and cleaned.get("pin_remove"):
            self.add_error("pin", "Enter a new PIN or remove it, not both.")
        return cleaned

    def profile_fields(self) -> dict[str, Any]:
        """The cleaned settings for `profile_create`/`profile_update`; `pin` only when it
        changes (None removes it)."""
        fields = {name: self.cleaned_data[name] for name in self._meta.fields}
        if self.cleaned_data.get("pin"):
            fields["pin"] = self.cleaned_data["pin"]
        elif self.cleaned_data.get("pin_remove"):
            fields["pin"] = None
        return fields

    def validate_unique(self) -> None:
        # Uniqueness per account is checked by the service, which knows the account.
        pass


class AccountForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "email"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Another account uses this address.")
        return email


class RatingScaleForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["rating_scale"]
        widgets = {"rating_scale": forms.RadioSelect}
        labels = {"rating_scale": "Rating scale"}


class ProfileUnlockForm(forms.Form):
    """The PIN of the profile to enter, or the account's password (services.profile_unlock)."""

    pin = _pin_field("PIN", autocomplete="off")
    password = forms.CharField(
        label="Or the account’s password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, ask_pin: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if ask_pin:
            self.fields["pin"].widget.attrs["autofocus"] = True
        else:
            del self.fields["pin"]
            self.fields["password"].label = "The account’s password"
            self.fields["password"].widget.attrs["autofocus"] = True


class KidsLockLeaveForm(forms.Form):
    """The account's password, to leave a kids profile (services.kids_lock_leave)."""

    password = forms.CharField(
        label="The account’s password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.", code="password_incorrect")
        return password
