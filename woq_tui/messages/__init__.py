"""Message catalogues, one module per part of the product (see woq_tui.i18n)."""
