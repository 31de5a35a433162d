from django.urls import path

from plans import views, views_archive, views_carry_forward, views_document, views_excel

P = "f/<slug:slug>/planer/<int:pk>/"

urlpatterns = [
    path("", views.start, name="start"),
    path("f/<slug:slug>/planer/", views.plan_list, name="plan_list"),
    path("f/<slug:slug>/planer/ny/", views.plan_create, name="plan_create"),
    path("f/<slug:slug>/arkiv/", views_archive.archive, name="archive"),
    path("f/<slug:slug>/granska/", views_excel.forbund_audit, name="forbund_audit"),
    path(P, views.plan_detail, name="plan_detail"),
    path(P + "installningar/", views.plan_edit, name="plan_edit"),
    path(P + "lamna-in/", views.plan_submit, name="plan_submit"),
    path(P + "aterremittera/", views.plan_return, name="plan_return"),
    path(P + "granska/", views.plan_review, name="plan_review"),
    path(P + "anta/", views.plan_adopt, name="plan_adopt"),
    path(P + "revidera/", views.plan_revise, name="plan_revise"),
    path(P + "dokument/", views_document.plan_document, name="plan_document"),
    path(P + "avsnitt/ny/", views_document.section_create, name="section_create"),
    path(P + "avsnitt/<int:section_pk>/", views_document.section_edit, name="section_edit"),
    path(
        P + "avsnitt/<int:section_pk>/ta-bort/",
        views_document.section_delete,
        name="section_delete",
    ),
    path(P + "avsnitt/<int:section_pk>/flytta/", views_document.section_move, name="section_move"),
    path(P + "kommentarer/", views_document.comment_create, name="comment_create"),
    path(
        P + "kommentarer/<int:comment_pk>/lost/",
        views_document.comment_resolve,
        name="comment_resolve",
    ),
    path(P + "arshjul/", views_document.plan_arshjul, name="plan_arshjul"),
    path(
        P + "arshjul/<int:event_pk>/ta-bort/", views_document.arshjul_delete, name="arshjul_delete"
    ),
    path(P + "pdf/", views_archive.pdf_request, name="pdf_request"),
    path(P + "pdf/<int:pdf_pk>/", views_archive.pdf_status, name="pdf_status"),
    path(P + "pdf/<int:pdf_pk>/fil/", views_archive.pdf_download, name="pdf_download"),
    path(P + "excel/", views_excel.plan_excel, name="plan_excel"),
    path(P + "excel/mall/", views_excel.plan_excel_template, name="plan_excel_template"),
    path(P + "excel/las-in/", views_excel.plan_import, name="plan_import"),
    path(P + "historik/", views_archive.plan_history, name="plan_history"),
    path(P + "versioner/", views_archive.plan_versions, name="plan_versions"),
    path(P + "ny-plan/", views_carry_forward.plan_create_from_view, name="plan_create_from"),
]
