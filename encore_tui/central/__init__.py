"""The reference central results receiver (optional extra 'server': fastapi + uvicorn)."""
