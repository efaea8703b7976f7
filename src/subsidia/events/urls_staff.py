"""The officers' pages of events (``/evenements/gestion/…``) and the public pages that come after an event
(questionnaire, evaluation report, photos)."""

from django.urls import URLPattern, path

from . import views_evaluation as e
from . import views_gallery as g
from . import views_staff as v

urlpatterns: list[URLPattern] = [
    path("gestion/", v.staff_list, name="staff_list"),
    path("gestion/nouveau/", v.staff_create, name="staff_create"),
    path("gestion/<int:pk>/", v.staff_detail, name="staff_detail"),
    path("gestion/<int:pk>/modifier/", v.staff_edit, name="staff_edit"),
    path("gestion/<int:pk>/publier/", v.staff_publish, name="staff_publish"),
    path("gestion/<int:pk>/annuler/", v.staff_cancel, name="staff_cancel"),
    path("gestion/<int:pk>/blocs/nouveau/", v.block_add, name="staff_block_add"),
    path("gestion/blocs/<int:pk>/modifier/", v.block_edit, name="staff_block_edit"),
    path("gestion/blocs/<int:pk>/supprimer/", v.block_delete, name="staff_block_delete"),
    path("gestion/<int:pk>/sessions/nouvelle/", v.session_add, name="staff_session_add"),
    path("gestion/sessions/<int:pk>/modifier/", v.session_edit, name="staff_session_edit"),
    path("gestion/sessions/<int:pk>/supprimer/", v.session_delete, name="staff_session_delete"),
    path("gestion/<int:pk>/inscriptions/", v.registrations, name="staff_registrations"),
    path("gestion/inscriptions/<int:pk>/annuler/", v.registration_cancel, name="staff_registration_cancel"),
    path("gestion/<int:pk>/repartition/", v.allocate, name="staff_allocate"),
    path("gestion/<int:pk>/participants.csv", v.export_csv, name="staff_export_csv"),
    path("gestion/<int:pk>/participants.xlsx", v.export_xlsx, name="staff_export_xlsx"),
    path("gestion/<int:pk>/evaluation/", e.evaluation_builder, name="evaluation_builder"),
    path("gestion/questions/<int:pk>/modifier/", e.question_edit, name="evaluation_question_edit"),
    path("gestion/questions/<int:pk>/supprimer/", e.question_delete, name="evaluation_question_delete"),
    path("gestion/questions/<int:pk>/deplacer/", e.question_move, name="evaluation_question_move"),
    path("gestion/<int:pk>/evaluation/envoyer/", e.evaluation_send, name="evaluation_send"),
    path("gestion/<int:pk>/evaluation/resultats/", e.evaluation_results, name="evaluation_results"),
    path("gestion/<int:pk>/evaluation/rapport/", e.evaluation_report_edit, name="evaluation_report_edit"),
    path("gestion/<int:pk>/evaluation/publier/", e.evaluation_report_publish, name="evaluation_report_publish"),
    path("gestion/<int:pk>/photos/", g.photos, name="staff_photos"),
    path("gestion/photos/<int:pk>/modifier/", g.photo_edit, name="staff_photo_edit"),
    path("gestion/photos/<int:pk>/supprimer/", g.photo_delete, name="staff_photo_delete"),
    path("gestion/photos/<int:pk>/deplacer/", g.photo_move, name="staff_photo_move"),
    # Public: after the event.
    path("questionnaire/<str:token>/", e.evaluation_answer, name="evaluation_answer"),
    path("<slug:slug>/evaluation/", e.evaluation_report, name="evaluation_report"),
    path("<slug:slug>/photos/", g.public_gallery, name="gallery"),
    path("<slug:slug>/photos/<int:pk>/", g.photo_file, name="photo_file"),
]
