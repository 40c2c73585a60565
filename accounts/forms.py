from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import AvatarColor, Language, Profile, User
from catalog.maturity import AGE_CHOICES, KIDS_MAX_AGE


class SignupForm(forms.Form):
    name = forms.CharField(max_length=40, label="Your name", help_text="Your first profile's name.")
    email = forms.EmailField(label="E-mail address")
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
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


class ProfileForm(forms.ModelForm):
    avatar_color = forms.ChoiceField(
        choices=AvatarColor.choices, widget=forms.RadioSelect, label="Colour"
    )
    language = forms.ChoiceField(choices=Language.choices)
    max_maturity_age = forms.TypedChoiceField(
        choices=AGE_CHOICES, coerce=int, label="Maturity limit", initial=18
    )

    class Meta:
        model = Profile
        fields = ["name", "avatar_color", "language", "is_kids", "max_maturity_age"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("is_kids") and (cleaned.get("max_maturity_age") or 0) > KIDS_MAX_AGE:
            self.add_error(
                "max_maturity_age", f"A kids profile may see titles up to {KIDS_MAX_AGE}+."
            )
        return cleaned

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
