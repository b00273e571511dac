"""What consultants, moderators and admins do, in private chats with the bot."""
