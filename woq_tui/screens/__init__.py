"""One module per screen; the App wires them to the keys of docs/keys.md."""
