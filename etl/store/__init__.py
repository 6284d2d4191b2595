"""The store: the single writer (load, derive, rebuild), its schema migrations and
bookkeeping (accounts, sessions, the meeting's marks). Never imports a read."""
