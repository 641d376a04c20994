from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accord.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "home_organization", "role", "is_active"]
    fieldsets = DjangoUserAdmin.fieldsets + (("accord", {"fields": ("home_organization", "role", "language")}),)
