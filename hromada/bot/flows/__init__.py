"""The bot's conversations, one module per door: each is a thin layer over the apps' services."""
