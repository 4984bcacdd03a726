"""The plain frozen values that the database side returns and the UI draws: queue rows,
KPI counts, outbox marks, figure tables, audit flags. Both sides import them; they
import neither (no SQLAlchemy, no Textual), so the UI draws its first frame without
loading the database stack (docs/architecture.md)."""
