from django.urls import path

from . import views, views_security
from .views_signup import signup, signup_activate, signup_done

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.login_view, name="login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("mot-de-passe/oubli/", views.password_reset, name="password_reset"),
    path("mot-de-passe/envoye/", views.password_reset_done, name="password_reset_done"),
    path("mot-de-passe/nouveau/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("mot-de-passe/change/", views.password_reset_complete, name="password_reset_complete"),
    path("double-authentification/activer/", views.two_factor_setup, name="two_factor_setup"),
    path("double-authentification/", views.two_factor_verify, name="two_factor_verify"),
    path("confirmer/", views.reauthenticate, name="reauthenticate"),
    path("jetons/", views_security.api_tokens, name="api_tokens"),
    path("jetons/<int:pk>/revoquer/", views_security.api_token_revoke, name="api_token_revoke"),
    path("administration/comptes/", views_security.user_list, name="user_list"),
    path("administration/comptes/<int:pk>/", views_security.user_security, name="user_security"),
    path("administration/comptes/<int:pk>/double-authentification/reinitialiser/",
         views_security.two_factor_reset, name="two_factor_reset"),
    path("administration/comptes/<int:pk>/roles/<str:role>/retirer/", views_security.role_revoke,
         name="role_revoke"),
    path("inscription/", signup, name="signup"),
    path("inscription/envoyee/", signup_done, name="signup_done"),
    path("inscription/activer/<str:token>/", signup_activate, name="signup_activate"),
]
