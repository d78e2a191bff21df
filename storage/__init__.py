"""coachbot's storage: SQLModel tables, async repositories implementing `bot.ports`, migrations."""
