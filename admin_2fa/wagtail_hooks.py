from django.urls import include, path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from admin_2fa import urls


@hooks.register("register_admin_urls")
def register_two_factor_urls():
    return [
        path("2fa/", include(urls, namespace="admin_2fa")),
        # django-otp-webauthn's JSON endpoints (namespace "otp_webauthn"), which its scripts
        # call to add a passkey and to sign in with one.
        path("2fa/passkeys/", include("django_otp_webauthn.urls")),
    ]


@hooks.register("register_settings_menu_item")
def register_two_factor_menu_item():
    return MenuItem("Two-factor sign-in", reverse("admin_2fa:overview"), icon_name="key", order=900)
