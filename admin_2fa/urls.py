from django.urls import path

from admin_2fa import views

app_name = "admin_2fa"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("verify/", views.verify, name="verify"),
    path("setup/", views.setup, name="setup"),
    path("backup-codes/", views.regenerate_backup_codes, name="backup_codes"),
    path("passkey-added/", views.passkey_added, name="passkey_added"),
    path("remove-passkey/<int:passkey_id>/", views.remove_passkey, name="remove_passkey"),
    path("reset/<int:user_id>/", views.reset, name="reset"),
]
