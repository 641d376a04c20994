from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accord.partners.models import Organization, OrganizationName, Person


class NameInline(admin.TabularInline):
    model = OrganizationName
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "country", "is_home"]
    search_fields = ["search_text"]
    inlines = [NameInline]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "position", "affiliation"]
    search_fields = ["search_text"]
