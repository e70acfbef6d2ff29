"""The protocol between a counting centre and central: what is pushed and how it is signed.

Both sides import it (`push/` to send, `central/` to receive); it imports only `domain/`.
`messages` is the versioned pydantic schema, `signing` the request signature, `keys` the
Ed25519 keys that sign pushes, receipts and printed sheets.
"""
