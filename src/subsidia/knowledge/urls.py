"""Pages of the knowledge base, mounted at the site's root: /bonnes-pratiques/, /faq/, /actualites/.
The management pages live below each section's gestion/ (a reserved word, never a slug)."""

from django.urls import path

from . import feeds, views, views_staff

app_name = "knowledge"

urlpatterns = [
    # Good practices
    path("bonnes-pratiques/", views.good_practice_list, name="good_practice_list"),
    path("bonnes-pratiques/gestion/", views_staff.good_practice_manage, name="good_practice_manage"),
    path("bonnes-pratiques/gestion/nouvelle/", views_staff.good_practice_create, name="good_practice_create"),
    path("bonnes-pratiques/gestion/<int:pk>/", views_staff.good_practice_edit, name="good_practice_edit"),
    path("bonnes-pratiques/gestion/<int:pk>/pieces-jointes/", views_staff.good_practice_attachment_add,
         name="good_practice_attachment_add"),
    path("bonnes-pratiques/gestion/<int:pk>/pieces-jointes/<int:attachment_pk>/supprimer/",
         views_staff.good_practice_attachment_delete, name="good_practice_attachment_delete"),
    path("bonnes-pratiques/gestion/<int:pk>/<slug:transition>/", views_staff.good_practice_transition,
         name="good_practice_transition"),
    path("bonnes-pratiques/<slug:slug>/", views.good_practice_detail, name="good_practice_detail"),
    path("bonnes-pratiques/<slug:slug>/pieces-jointes/<int:pk>/", views.good_practice_attachment,
         name="good_practice_attachment"),
    # FAQ
    path("faq/", views.faq, name="faq"),
    path("faq/gestion/", views_staff.faq_manage, name="faq_manage"),
    path("faq/gestion/rubriques/nouvelle/", views_staff.faq_topic_create, name="faq_topic_create"),
    path("faq/gestion/rubriques/<int:pk>/", views_staff.faq_topic_edit, name="faq_topic_edit"),
    path("faq/gestion/rubriques/<int:pk>/supprimer/", views_staff.faq_topic_delete, name="faq_topic_delete"),
    path("faq/gestion/questions/nouvelle/", views_staff.faq_question_create, name="faq_question_create"),
    path("faq/gestion/questions/<int:pk>/", views_staff.faq_question_edit, name="faq_question_edit"),
    path("faq/gestion/questions/<int:pk>/supprimer/", views_staff.faq_question_delete, name="faq_question_delete"),
    path("faq/gestion/questions/<int:pk>/<slug:transition>/", views_staff.faq_question_transition,
         name="faq_question_transition"),
    # News
    path("actualites/", views.news_list, name="news_list"),
    path("actualites/rss/", feeds.news_rss, name="news_rss"),
    path("actualites/atom/", feeds.news_atom, name="news_atom"),
    path("actualites/gestion/", views_staff.news_manage, name="news_manage"),
    path("actualites/gestion/nouvelle/", views_staff.news_create, name="news_create"),
    path("actualites/gestion/<int:pk>/", views_staff.news_edit, name="news_edit"),
    path("actualites/gestion/<int:pk>/renvoyer/", views_staff.news_send_back, name="news_send_back"),
    path("actualites/gestion/<int:pk>/<slug:transition>/", views_staff.news_transition, name="news_transition"),
    path("actualites/<slug:slug>/", views.news_detail, name="news_detail"),
]
