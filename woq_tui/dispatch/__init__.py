"""The network side: the dispatch API client, the durable outbox and its pusher, and the
reference dispatch server (docs/dispatch.md). No UI here."""
