# Appointments are not edited here: bookings go through onward.interviews.services
# (double-booking checks). Only the resources and the managed list of types are.
from django.contrib import admin

from onward.interviews.models import AppointmentType, Interpreter, Room


@admin.register(Interpreter)
class InterpreterAdmin(admin.ModelAdmin):
    list_display = ("name", "languages", "active")


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "active")


@admin.register(AppointmentType)
class AppointmentTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "active")
