"""woq-console: a terminal console for 95598 power-service work orders."""

__version__ = "0.1.0"
