from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import views
from accounts.forms import EmailAuthenticationForm

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=EmailAuthenticationForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.account, name="account"),
    path("rating-scale/", views.account_rating_scale, name="rating_scale"),
    path("delete/", views.account_delete, name="delete"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_form.html",
            extra_context={"heading": "Change password", "button": "Change password"},
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_done.html",
            extra_context={"heading": "Password changed", "body": "Your password is changed."},
        ),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        views.PasswordResetView.as_view(
            template_name="accounts/password_form.html",
            extra_context={"heading": "Reset your password", "button": "Send reset link"},
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="accounts/password_done.html",
            extra_context={
                "heading": "Check your e-mail",
                "body": "If an account uses that address, we sent it a link to choose a new "
                "password.",
            },
        ),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_form.html",
            extra_context={"heading": "Choose a new password", "button": "Set password"},
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_done.html",
            extra_context={
                "heading": "Password set",
                "body": "Your new password is set. You can sign in now.",
            },
        ),
        name="password_reset_complete",
    ),
    path("profiles/", views.profile_picker, name="profile_picker"),
    path("profiles/new/", views.profile_create, name="profile_create"),
    path("profiles/leave/", views.profile_leave, name="profile_leave"),
    path("profiles/<int:pk>/edit/", views.profile_edit, name="profile_edit"),
    path("profiles/<int:pk>/delete/", views.profile_delete, name="profile_delete"),
    path("profiles/<int:pk>/select/", views.profile_select, name="profile_select"),
    path("profiles/<int:pk>/unlock/", views.profile_unlock, name="profile_unlock"),
]
