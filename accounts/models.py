from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.maturity import AGE_CHOICES, KIDS_MAX_AGE


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        if extra.get("is_staff") is not True or extra.get("is_superuser") is not True:
            raise ValueError("A superuser needs is_staff and is_superuser.")
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        # Sign-in is case-insensitive on the address.
        return self.get(email__iexact=username)


class RatingScale(models.TextChoices):
    STARS = "stars", "Stars (½ to 5)"
    THUMBS = "thumbs", "Thumbs (down, up, two up)"


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("e-mail address", unique=True)
    name = models.CharField(max_length=150, blank=True)
    rating_scale = models.CharField(
        max_length=6,
        choices=RatingScale.choices,
        default=RatingScale.STARS,
        help_text="How this account's profiles rate titles. Both are kept either way.",
    )
    is_staff = models.BooleanField(
        default=False, help_text="Curators: may sign in to the admin to edit the catalogue."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "account"
        verbose_name_plural = "accounts"
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("email"), name="accounts_user_email_ci_unique"
            )
        ]

    def __str__(self) -> str:
        return self.email

    def get_short_name(self) -> str:
        return self.name or self.email.split("@", 1)[0]

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self._password_unusable_set = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A token is only good for the password it was issued under: whatever sets a new
        # one (password change, reset, the admin, `changepassword`) ends the account's
        # API token, as the session hash ends its other sessions. `_password` holds the
        # raw password from set_password() until the save; Django clears it before saving
        # a mere re-hash at sign-in, so it marks a real change.
        replaced = self._password is not None or self.__dict__.pop("_password_unusable_set", False)
        adding = self._state.adding
        super().save(*args, **kwargs)
        if replaced and not adding:
            Token.objects.filter(user=self).delete()


class AvatarColor(models.TextChoices):
    RED = "#e50914", "Red"
    AMBER = "#f5a623", "Amber"
    GREEN = "#2bb673", "Green"
    TEAL = "#1fb5c1", "Teal"
    BLUE = "#3d7eff", "Blue"
    VIOLET = "#8e5cf7", "Violet"
    PINK = "#ef5da8", "Pink"
    SLATE = "#7d8ca3", "Slate"


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Español"
    FRENCH = "fr", "Français"
    GERMAN = "de", "Deutsch"
    ITALIAN = "it", "Italiano"
    PORTUGUESE = "pt", "Português"
    JAPANESE = "ja", "日本語"


class Profile(models.Model):
    """A viewer inside an account. Every piece of feedback belongs to a profile."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profiles"
    )
    name = models.CharField(max_length=40)
    avatar_color = models.CharField(
        max_length=7, choices=AvatarColor.choices, default=AvatarColor.RED
    )
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.ENGLISH)
    is_kids = models.BooleanField(
        "kids profile", default=False, help_text="Only titles up to the age limit below."
    )
    max_maturity_age = models.PositiveSmallIntegerField(
        "maturity limit",
        choices=AGE_CHOICES,
        default=18,
        help_text="The highest age rating this profile may see.",
    )
    private_session = models.BooleanField(
        default=False,
        help_text="While on, nothing watched counts towards recommendations.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Moved by every write that changes what recommendations should learn: pages key their
    # cached row plans on it, so the next request after a click sees the click.
    signals_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    # Set when the profile picked its first titles or skipped the picker.
    onboarded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The profile lock: a 4-digit PIN asked before anyone watches as this profile, hashed
    # like a password (10,000 PINs are guessed in a moment from a plain or fast hash).
    # Empty: no PIN.
    pin_hash = models.CharField("PIN", max_length=128, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                "account", models.functions.Lower("name"), name="accounts_profile_name_unique"
            ),
            models.CheckConstraint(
                condition=Q(is_kids=False) | Q(max_maturity_age__lte=KIDS_MAX_AGE),
                name="accounts_profile_kids_age_limit",
                violation_error_message=f"A kids profile may see titles up to {KIDS_MAX_AGE}+.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def initial(self) -> str:
        return self.name[:1].upper()

    @property
    def has_pin(self) -> bool:
        return bool(self.pin_hash)

    def set_pin(self, pin: str | None) -> None:
        """Set the PIN (hashed), or remove it with None or ""."""
        self.pin_hash = make_password(pin) if pin else ""

    def check_pin(self, pin: str) -> bool:
        return self.has_pin and check_password(pin, self.pin_hash)
