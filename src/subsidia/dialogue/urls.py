"""Pages of the dialogue (views.py for everyone taking part, views_staff.py for the officers), mounted at
/dialogue/."""

from django.urls import path

from . import views, views_staff

app_name = "dialogue"

urlpatterns = [
    path("", views.series_list, name="series_list"),
    path("series/nouvelle/", views_staff.series_create, name="series_create"),
    path("series/<int:pk>/", views.series_detail, name="series"),
    path("series/<int:pk>/modifier/", views_staff.series_edit, name="series_edit"),
    path("series/<int:pk>/planifier/", views_staff.series_generate, name="series_generate"),
    path("series/<int:pk>/reunions/nouvelle/", views_staff.meeting_add, name="meeting_add"),
    path("reunions/<int:pk>/", views.meeting_detail, name="meeting"),
    path("reunions/<int:pk>/reunion.ics", views.meeting_ics, name="meeting_ics"),
    path("reunions/<int:pk>/modifier/", views_staff.meeting_edit, name="meeting_edit"),
    path("reunions/<int:pk>/ordre-du-jour/", views.agenda_propose, name="agenda_propose"),
    path("reunions/<int:pk>/compte-rendu/", views_staff.minutes, name="minutes"),
    path("reunions/<int:pk>/compte-rendu/publier/", views_staff.minutes_publish, name="minutes_publish"),
    path("reunions/<int:pk>/actions/", views_staff.action_add, name="action_add"),
    path("reunions/<int:pk>/invitations/", views_staff.invite, name="invite"),
    path("points/<int:pk>/decision/", views_staff.agenda_decide, name="agenda_decide"),
    path("actions/<int:pk>/", views.action_update, name="action_update"),
    path("calendrier/", views.calendar_page, name="calendar"),
    path("calendrier/renouveler/", views.calendar_renew, name="calendar_renew"),
    path("calendrier/<str:token>/reunions.ics", views.user_feed, name="user_feed"),
    path("calendrier/<str:token>/series/<int:pk>.ics", views.series_feed, name="series_feed"),
]
