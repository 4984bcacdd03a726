"""The network side: dispatch API client, outbox and pusher, reference server. No UI."""
