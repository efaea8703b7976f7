from django.urls import path

from . import views

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("nouvelle/", views.organisation_create, name="create"),
    path("<int:pk>/", views.organisation_detail, name="detail"),
    path("<int:pk>/modifier/", views.organisation_edit, name="edit"),
    path("<int:pk>/verifier/", views.organisation_verify, name="verify"),
    path("<int:pk>/membres/inviter/", views.member_invite, name="member_invite"),
    path("<int:pk>/membres/<int:membership_pk>/retirer/", views.member_remove, name="member_remove"),
    path("<int:pk>/contacts/nouveau/", views.contact_edit, name="contact_add"),
    path("<int:pk>/contacts/<int:contact_pk>/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/services/nouveau/", views.service_add, name="service_add"),
    path("<int:pk>/documents/nouveau/", views.document_add, name="document_add"),
    path("<int:pk>/documents/<int:document_pk>/", views.document_download, name="document_download"),
]

directory_urlpatterns = [
    path("", views.directory, name="directory"),
    path("<int:pk>/", views.directory_entry, name="directory_entry"),
]
