from django.urls import path

from . import views

app_name = "dialogue"

urlpatterns = [
    path("reunions/<int:pk>/", views.meeting_detail, name="meeting"),
    path("reunions/<int:pk>/reunion.ics", views.meeting_ics, name="meeting_ics"),
    path("calendrier/<str:token>/reunions.ics", views.user_feed, name="user_feed"),
    path("calendrier/<str:token>/series/<int:pk>.ics", views.series_feed, name="series_feed"),
]
