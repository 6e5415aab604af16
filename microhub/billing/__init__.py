"""Billing: plans, the payment gateways (Stripe and the local test-mode one) and webhook events."""
