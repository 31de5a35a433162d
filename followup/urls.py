"""The follow-up's pages: the year, its prognoses and settings (followup.views)."""

from django.urls import path

from followup import views, views_annual, views_close, views_national, views_pack, views_report

F = "f/<slug:slug>/uppfoljning/"
Y = F + "<int:year>/"
R = Y + "delarsrapporter/<int:pk>/"

urlpatterns = [
    path(F, views.year_list, name="followup_years"),
    path(F + "installningar/", views.followup_settings, name="followup_settings"),
    path(Y, views.follow_up_view, name="follow_up"),
    path(Y + "prognoser/", views.prognos_list, name="prognos_list"),
    path(Y + "prognoser/ny/", views.prognos_create, name="prognos_create"),
    path(Y + "prognoser/<int:pk>/", views.prognos_detail, name="prognos_detail"),
    path(Y + "prognoser/<int:pk>/rapportera/", views.prognos_report, name="prognos_report"),
    path(Y + "bokslut/", views_close.year_close_page, name="year_close_page"),
    path(Y + "bokslut/klart/", views_close.year_close, name="year_close"),
    path(Y + "arsredovisning/", views_annual.annual_page, name="annual_report"),
    path(Y + "arsredovisning.pdf", views_annual.annual_pdf, name="annual_report_pdf"),
    path(Y + "arsredovisning.xlsx", views_annual.annual_xlsx, name="annual_report_xlsx"),
    path(Y + "nationell/", views_national.national_page, name="national_follow_up"),
    path(Y + "nationell.xlsx", views_national.national_xlsx, name="national_follow_up_xlsx"),
    path(Y + "delarsrapporter/", views_report.report_list, name="delarsrapporter"),
    path(Y + "delarsrapporter/<int:pk>/", views_report.report_page, name="delarsrapport"),
    path(R + "lamna-in/", views_report.report_submit, name="delarsrapport_submit"),
    path(R + "aterremittera/", views_report.report_return, name="delarsrapport_return"),
    path(R + "granska/", views_report.report_review, name="delarsrapport_review"),
    path(R + "anta/", views_report.report_adopt, name="delarsrapport_adopt"),
    path(R + "kommentera/", views_report.report_comment, name="delarsrapport_comment"),
    path(
        R + "kommentarer/<int:comment_pk>/lost/",
        views_report.report_comment_resolve,
        name="delarsrapport_comment_resolve",
    ),
    path(R + "ratta/", views_report.report_revise_view, name="delarsrapport_revise"),
    path(R + "pdf/", views_report.report_pdf, name="delarsrapport_pdf"),
    path(R + "utkast.pdf", views_report.report_draft_pdf, name="delarsrapport_draft_pdf"),
    path(
        R + "avsnitt/<int:section_pk>/",
        views_report.report_section_edit,
        name="delarsrapport_section",
    ),
    path(F + "medlemssamrad/<int:pk>/", views_pack.pack_page, name="pack"),
    path(F + "medlemssamrad/<int:pk>/pdf/", views_pack.pack_pdf, name="pack_pdf"),
    path(F + "medlemssamrad/<int:pk>/excel/", views_pack.pack_excel, name="pack_excel"),
]
