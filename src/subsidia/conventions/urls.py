from django.urls import path

from . import views

app_name = "conventions"

urlpatterns = [
    path("<int:pk>/", views.convention_detail, name="detail"),
    path("rapports/<int:pk>/", views.report_detail, name="report"),
]
