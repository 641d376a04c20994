from django.urls import path

from accord.sources import views

app_name = "sources"

urlpatterns = [
    path("", views.index, name="index"),
    path("list/", views.SourceListView.as_view(), name="source_list"),
    path("new/", views.source_edit, name="source_create"),
    path("export.<fmt:fmt>", views.source_export, name="source_export"),
    path("<int:pk>/", views.source_detail, name="source_detail"),
    path("<int:pk>/edit/", views.source_edit, name="source_update"),
    path("<int:pk>/delete/", views.source_delete, name="source_delete"),
    path("<int:pk>/file/", views.source_file, name="source_file"),
    path("stories/", views.StoryListView.as_view(), name="story_list"),
    path("stories/new/", views.story_edit, name="story_create"),
    path("stories/<int:pk>/", views.story_detail, name="story_detail"),
    path("stories/<int:pk>/edit/", views.story_edit, name="story_update"),
    path("cite/<str:model>/<int:pk>/", views.citation_add, name="citation_add"),
    path("citations/<int:pk>/delete/", views.citation_delete, name="citation_delete"),
]
