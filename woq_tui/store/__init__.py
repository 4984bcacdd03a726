"""The database side: engine, migrations, read models, import. No UI."""
