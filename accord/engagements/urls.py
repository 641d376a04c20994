from django.urls import path

from accord.engagements import views

app_name = "engagements"

urlpatterns = [
    path("", views.index, name="index"),
    path("list/", views.EngagementListView.as_view(), name="engagement_list"),
    path("new/", views.engagement_edit, name="engagement_create"),
    path("export.<fmt:fmt>", views.engagement_export, name="engagement_export"),
    path("<int:pk>/", views.engagement_detail, name="engagement_detail"),
    path("<int:pk>/edit/", views.engagement_edit, name="engagement_update"),
    path("<int:pk>/delete/", views.engagement_delete, name="engagement_delete"),
    path("series/new/", views.series_create, name="series_create"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/subscribe/", views.calendar_feed, name="calendar_feed"),
    path("calendar/<str:token>.ics", views.calendar_ics, name="calendar_ics"),
    path("actions/", views.ActionListView.as_view(), name="action_list"),
    path("actions/new/", views.action_edit, name="action_create"),
    path("actions/export.<fmt:fmt>", views.action_export, name="action_export"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_update"),
    path("actions/<int:pk>/done/", views.action_complete, name="action_complete"),
    path("actions/<int:pk>/cancel/", views.action_cancel, name="action_cancel"),
    path("actions/<int:pk>/reopen/", views.action_reopen, name="action_reopen"),
    path("actions/<int:pk>/delete/", views.action_delete, name="action_delete"),
]
