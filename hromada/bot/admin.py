from django.contrib import admin

from hromada.bot.models import ChatState, TelegramAccount


@admin.register(TelegramAccount)
class TelegramAccountAdmin(admin.ModelAdmin):
    list_display = ("user", "telegram_id", "username", "linked_at")
    search_fields = ("user__username", "user__name", "username")
    readonly_fields = ("telegram_id", "chat_id", "linked_at")


@admin.register(ChatState)
class ChatStateAdmin(admin.ModelAdmin):
    list_display = ("chat_id", "flow", "step", "updated_at")
    readonly_fields = ("chat_id", "flow", "step", "data", "updated_at")
