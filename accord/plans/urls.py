from django.urls import path

from accord.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.index, name="index"),
    path("list/", views.PlanListView.as_view(), name="plan_list"),
    path("new/", views.plan_edit, name="plan_create"),
    path("export.<fmt:fmt>", views.plan_export, name="plan_export"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/edit/", views.plan_edit, name="plan_update"),
    path("<int:pk>/delete/", views.plan_delete, name="plan_delete"),
    path("<int:pk>/tasks/new/", views.task_create, name="task_create"),
    path("<int:pk>/indicators/new/", views.indicator_create, name="indicator_create"),
    path("tasks/", views.TaskListView.as_view(), name="task_list"),
    path("tasks/export.<fmt:fmt>", views.task_export, name="task_export"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", views.task_update, name="task_update"),
    path("tasks/<int:pk>/delete/", views.task_delete, name="task_delete"),
    path("tasks/<int:pk>/link/", views.task_link_add, name="task_link_add"),
    path("links/<int:pk>/remove/", views.task_link_remove, name="task_link_remove"),
    path("indicators/", views.IndicatorListView.as_view(), name="indicator_list"),
    path("indicators/export.<fmt:fmt>", views.indicator_export, name="indicator_export"),
    path("indicators/<int:pk>/edit/", views.indicator_update, name="indicator_update"),
    path("indicators/<int:pk>/delete/", views.indicator_delete, name="indicator_delete"),
]
