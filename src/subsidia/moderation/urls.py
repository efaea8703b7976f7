from django.urls import path

from . import views, views_staff

app_name = "moderation"

urlpatterns = [
    path("ecrire/<slug:kind>/<int:pk>/", views.post, name="post"),
    path("<int:pk>/signaler/", views.report, name="report"),
    path("moderation/", views_staff.queue, name="queue"),
    path("moderation/<int:pk>/decision/", views_staff.decide, name="decide"),
    path("moderation/auteurs/<int:pk>/", views_staff.author, name="author"),
    path("moderation/auteurs/<int:pk>/bloquer/", views_staff.block, name="block"),
    path("moderation/blocages/", views_staff.blocks, name="blocks"),
    path("moderation/blocages/<int:pk>/lever/", views_staff.lift_block, name="lift_block"),
    path("moderation/mots-filtres/", views_staff.words, name="words"),
    path("moderation/mots-filtres/<int:pk>/retirer/", views_staff.word_remove, name="word_remove"),
]
