from django.urls import path

from accounts.views import account, login, two_factor

app_name = "accounts"
urlpatterns = [
    path("register/", account.register, name="register"),
    path("register/sent/", account.registered, name="registered"),
    path("activate/<str:token>/", account.activate, name="activate"),
    path("profile/", account.profile, name="profile"),
    path("email/confirm/<str:token>/", account.confirm_email, name="confirm_email"),
    path("users/new/", account.create_user, name="create_user"),
    path("login/code/", login.login_code, name="login_code"),
    path("two-factor/", two_factor.two_factor, name="two_factor"),
    path("two-factor/remove/", two_factor.two_factor_remove, name="two_factor_remove"),
]

# django.contrib.auth's own names, served by pocflow's views (mounted before django.contrib.auth.urls)
auth_urls = [
    path("login/", login.LoginView.as_view(), name="login"),
    path("password_reset/", login.PasswordResetView.as_view(), name="password_reset"),
]
