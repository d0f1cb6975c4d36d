from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from calculator.api import api
from calculator.http import API_PREFIX
from calculator.http.favicon import favicon
from calculator.http.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path(f"{API_PREFIX.lstrip('/')}v1/", api.urls),
    # Sign-in, sign-out and password change only: no self-service password reset (anonymous
    # visitors see the login page and nothing else; administrators reset passwords).
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("", include("calculator.urls")),
]

handler500 = "calculator.http.error_pages.server_error"
